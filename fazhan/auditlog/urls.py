from django.urls import URLPattern, URLResolver, path

from fazhan.auditlog import views

app_name = "auditlog"
urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/", views.verify, name="verify"),
    path("verify/progress/", views.verify_progress, name="verify_progress"),
    path("log/", views.log, name="log"),
    path("log/export.csv", views.export_csv, name="export_csv"),
    path("log/export.xlsx", views.export_xlsx, name="export_xlsx"),
]
