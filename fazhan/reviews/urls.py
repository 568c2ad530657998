from django.urls import path

from fazhan.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.index, name="index"),
    path("send/", views.send, name="send"),
    path("prereview/<int:pk>/", views.prereview, name="prereview"),
    path("candidates/<int:pk>/", views.candidate, name="candidate"),
    path("approvals/<int:pk>/", views.approval, name="approval"),
    path("approvals/<int:pk>/sheet.pdf", views.approval_pdf, name="approval_pdf"),
]
