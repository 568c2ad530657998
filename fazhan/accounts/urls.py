from django.urls import URLPattern, URLResolver, path

from fazhan.accounts import views

app_name = "accounts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.account_list, name="list"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/reset-password/", views.reset_password, name="reset_password"),
    path("<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.reactivate, name="reactivate"),
    path("new/", views.create_account, name="create"),
    path("roster/", views.roster, name="roster"),
    path("roster/template.csv", views.roster_template, name="roster_template"),
    path("branches/", views.branch_list, name="branches"),
    path("branches/<int:org_pk>/hand-over/", views.hand_over, name="hand_over"),
    path("password/", views.password_change, name="password_change"),
]
