from django.urls import URLPattern, URLResolver, path

from fazhan.reports import views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("open/", views.open_campaign, name="open"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/report.xlsx", views.campaign_xlsx, name="xlsx"),
    path("campaigns/<int:pk>/report.pdf", views.campaign_pdf, name="pdf"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("submissions/<int:pk>/return/", views.submission_return, name="return"),
    path("submissions/<int:pk>/accept/", views.submission_accept, name="accept"),
    path("submissions/<int:pk>/remind/", views.submission_remind, name="remind"),
]
