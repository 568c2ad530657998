from django.urls import path

from fazhan.paperwork import views

app_name = "paperwork"
urlpatterns = [
    path("", views.index, name="index"),
    path("issue/", views.issue, name="issue"),
    path("use/", views.use, name="use"),
    path("forms/<int:pk>/", views.form_detail, name="form"),
    path("candidates/<int:pk>/record.pdf", views.record_pdf, name="record_pdf"),
    path("prereview/<int:pk>/opinion.pdf", views.prereview_pdf, name="prereview_pdf"),
    path("approvals/<int:pk>/notice.pdf", views.approval_pdf, name="approval_pdf"),
    path("org/<int:pk>/filing/", views.filing, name="filing"),
    path("org/<int:pk>/filing.pdf", views.filing_pdf, name="filing_pdf"),
]
