from django.urls import path

from fazhan.mobility import views

app_name = "mobility"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("outside/", views.outside, name="outside"),
    path("candidates/<int:pk>/", views.candidate, name="candidate"),
    path("candidates/<int:pk>/refuse/", views.refuse, name="refuse"),
    path("candidates/<int:pk>/agreement/", views.agreement, name="agreement"),
    path("candidates/<int:pk>/contact/", views.contact, name="contact"),
    path("receive/", views.receive, name="receive"),
    path("candidates/<int:pk>/depart/", views.depart, name="depart"),
    path("candidates/<int:pk>/letter.pdf", views.letter, name="letter"),
    path("candidates/<int:pk>/undepart/", views.undepart, name="undepart"),
    path("candidates/<int:pk>/file.json", views.departed_file, name="departed_file"),
    path("history/<int:pk>/", views.history, name="history"),
    path("agreements/<int:pk>/end/", views.end, name="end"),
    path("agreements/<int:pk>/report/", views.report, name="report"),
]
