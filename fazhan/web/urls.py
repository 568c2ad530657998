from django.urls import path

from fazhan.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("candidates/", views.candidate_list, name="candidates"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate"),
    path("candidates/<int:pk>/record/<str:step>/", views.record_step, name="record_step"),
    path("candidates/batch/", views.batch, name="batch"),
]
