from django.urls import URLPattern, URLResolver, path

from fazhan.imports import views

app_name = "imports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("roster/", views.upload_roster, name="upload_roster"),
    path("files/", views.upload_files, name="upload_files"),
    path("template.xlsx", views.roster_template, name="template"),
    path("orgs/", views.upload_orgs, name="upload_orgs"),
    path("members/", views.upload_members, name="upload_members"),
    path("orgs-template.xlsx", views.orgs_template, name="orgs_template"),
    path("members-template.xlsx", views.members_template, name="members_template"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/confirm/", views.batch_confirm, name="confirm"),
    path("<int:pk>/progress/", views.batch_progress, name="progress"),
    path("<int:pk>/discard/", views.batch_discard, name="discard"),
    path("<int:pk>/errors.xlsx", views.batch_errors_xlsx, name="errors"),
    path("candidates/<int:pk>.json", views.candidate_json, name="candidate_json"),
    path("candidates.xlsx", views.candidates_xlsx, name="candidates_xlsx"),
]
