from django.urls import URLPattern, URLResolver, path

from fazhan.plans import views

app_name = "plans"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("org/<int:pk>/", views.org_dashboard, name="org"),
    path("org/<int:pk>/forecast/", views.forecast_page, name="forecast"),
    path("org/<int:pk>/export.xlsx", views.export, name="export"),
    path("load/", views.load_plan, name="load"),
    path("plan/<int:pk>/", views.plan_detail, name="plan"),
    path("plan/<int:pk>/edit/", views.plan_edit, name="edit"),
    path("plan/<int:pk>/split/", views.split, name="split"),
    path("plan/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("plan/<int:pk>/allocate/check/", views.allocate_check, name="allocate_check"),
    path("share/<int:pk>/targets/", views.share_targets, name="share_targets"),
    path("plan/<int:pk>/adopt/", views.adopt, name="adopt"),
    path("requests/", views.plan_requests, name="requests"),
    path("requests/rollup/", views.roll_up, name="roll_up"),
    path("requests/<int:year>/<int:org_pk>/", views.plan_request, name="request"),
]
