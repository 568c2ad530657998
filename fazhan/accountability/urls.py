from django.urls import path

from fazhan.accountability import views

app_name = "accountability"

urlpatterns = [
    path("", views.register_list, name="register"),
    path("register.xlsx", views.register_xlsx, name="register_xlsx"),
    path("<int:pk>/", views.register_item, name="item"),
    path("<int:pk>/explain/", views.register_explain, name="explain"),
    path("<int:pk>/close/", views.register_close, name="close"),
]
