from django.urls import URLPattern, URLResolver, path

from fazhan.holidays import views

app_name = "holidays"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_detail, name="year"),
    path("<int:year>/confirm/", views.confirm_year, name="confirm"),
]
