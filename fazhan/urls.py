"""URL map: each part of the system keeps its own urls module, included here."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from fazhan.ops.views import healthz

urlpatterns = [
    # First: the public notice pages are what many clients load at once (issue 11), and Django
    # tries the patterns in order.
    path("gongshi/", include("fazhan.public.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/manage/", include("fazhan.accounts.urls")),
    path("imports/", include("fazhan.imports.urls")),
    path("holidays/", include("fazhan.holidays.urls")),
    path("orgs/", include("fazhan.orgadmin.urls")),
    path("plans/", include("fazhan.plans.urls")),
    path("reports/", include("fazhan.reports.urls")),
    path("notices/", include("fazhan.notices.urls")),
    path("reviews/", include("fazhan.reviews.urls")),
    path("meetings/", include("fazhan.meetings.urls")),
    path("register/", include("fazhan.accountability.urls")),
    path("education/", include("fazhan.education.urls")),
    path("members/", include("fazhan.members.urls")),
    path("paperwork/", include("fazhan.paperwork.urls")),
    path("mobility/", include("fazhan.mobility.urls")),
    path("audit/", include("fazhan.auditlog.urls")),
    path("attachments/", include("fazhan.attachments.urls")),
    path("notify/", include("fazhan.notify.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("", include("fazhan.web.urls")),
]

# A busy database raised outside a view is a 503 page too (fazhan.web.busy).
handler500 = "fazhan.web.busy.server_error"
