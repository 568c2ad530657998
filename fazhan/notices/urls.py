from django.urls import path

from fazhan.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/consent/<int:entry_pk>/", views.consent, name="consent"),
    path("<int:pk>/remove/<int:entry_pk>/", views.remove, name="remove"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/decide/<int:entry_pk>/", views.decide, name="decide"),
    path("<int:pk>/notice.pdf", views.notice_pdf, name="pdf"),
    path("feedback/", views.feedback_list, name="feedback"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
]
