from django.urls import path

from fazhan.accountability import views

app_name = "accountability"

urlpatterns = [
    path("", views.register_list, name="register"),
    path("register.xlsx", views.register_xlsx, name="register_xlsx"),
    path("<int:pk>/", views.register_item, name="item"),
    path("<int:pk>/explain/", views.register_explain, name="explain"),
    path("<int:pk>/close/", views.register_close, name="close"),
    path("cases/", views.case_list, name="cases"),
    path("cases/open/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/investigation/", views.case_investigation, name="case_investigation"),
    path("cases/<int:pk>/parties/<int:party_pk>/", views.case_party, name="case_party"),
    path("cases/<int:pk>/conclude/", views.case_conclude, name="case_conclude"),
    path("cases/<int:pk>/revocation/", views.case_revocation, name="case_revocation"),
    path("guidance/", views.guidance, name="guidance"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/tasks/new/", views.task_assign, name="task_assign"),
    path("supervision/tasks/<int:pk>/", views.task_detail, name="task"),
    path("supervision/tasks/<int:pk>/note/", views.task_note, name="task_note"),
    path("supervision/tasks/<int:pk>/close/", views.task_close, name="task_close"),
]
