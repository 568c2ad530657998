from django.contrib.auth import views as auth_views
from django.urls import path

from fazhan.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("candidates/", views.candidate_list, name="candidates"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate"),
]
