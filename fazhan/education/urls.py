from django.urls import path

from fazhan.education import views

app_name = "education"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("trainings/new/", views.training_open, name="training_open"),
    path("trainings/<int:pk>/", views.training_detail, name="training"),
    path("trainings/<int:pk>/attend/", views.training_attend, name="training_attend"),
    path("candidates/<int:pk>/pair/", views.pairing_form, name="pair"),
    path("nominations/new/", views.nomination_receive, name="nomination_receive"),
    path("nominations/<int:pk>/outcome/", views.nomination_outcome, name="nomination_outcome"),
]
