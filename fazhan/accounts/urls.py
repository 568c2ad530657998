from django.urls import URLPattern, URLResolver, path

from fazhan.accounts import views, views_signin

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
    path("second-factor/setup/", views_signin.otp_setup, name="otp_setup"),
    path("second-factor/", views_signin.otp_verify, name="otp_verify"),
    path("security/", views_signin.security, name="security"),
    path("security/roles/<int:role_pk>/grant/", views_signin.grant_role, name="grant_role"),
    path("security/roles/<int:role_pk>/revoke/", views_signin.revoke_role, name="revoke_role"),
    path("security/<int:pk>/reset-factor/", views_signin.reset_factor, name="reset_factor"),
    path("access-log/", views_signin.access_log, name="access_log"),
]
