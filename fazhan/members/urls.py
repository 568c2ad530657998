from django.urls import URLPattern, URLResolver, path

from fazhan.members import views

app_name = "members"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("org/<int:pk>/", views.roster, name="roster"),
    path("<int:pk>/", views.member, name="member"),
    path("<int:pk>/record/<str:kind>/", views.record, name="record"),
]
