from django.urls import path

from fazhan.public import views

app_name = "public"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("receipt/", views.receipt, name="receipt"),
    path("<str:token>/", views.notice_detail, name="notice"),
    path("<str:token>/feedback/", views.feedback, name="feedback"),
    path("<str:token>/notice.pdf", views.notice_pdf, name="pdf"),
]
