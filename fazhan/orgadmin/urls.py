from django.urls import URLPattern, URLResolver, path

from fazhan.orgadmin import views

app_name = "orgadmin"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.tree, name="tree"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/type/", views.set_type, name="type"),
    path("<int:pk>/contact/", views.set_contact, name="contact"),
    path("<int:pk>/approval/", views.set_approval, name="approval"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/close/", views.close, name="close"),
]
