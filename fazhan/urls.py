from django.urls import path

from fazhan.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
