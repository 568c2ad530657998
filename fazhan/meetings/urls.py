from django.urls import URLPattern, URLResolver, path

from fazhan.meetings import views

app_name = "meetings"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("late/new/", views.create, {"late": True}, name="create_late"),
    # The casting page of the room (no login; docs/meetings.md).
    path("vote/", views.vote, name="vote"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/roll/", views.roll, name="roll"),
    path("<int:pk>/officers/", views.officers_set, name="officers"),
    path("<int:pk>/exclusions/", views.exclusion_add, name="exclusion_add"),
    path("exclusions/<int:pk>/consent/", views.exclusion_consent, name="exclusion_consent"),
    path("exclusions/<int:pk>/withdraw/", views.exclusion_withdraw, name="exclusion_withdraw"),
    path("<int:pk>/items/", views.item_add, name="item_add"),
    path("<int:pk>/open/", views.open_meeting, name="open"),
    path("<int:pk>/late/approve/", views.late_approve, name="late_approve"),
    path("<int:pk>/close/", views.close_meeting, name="close"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("items/<int:pk>/withdraw/", views.item_withdraw, name="item_withdraw"),
    path("items/<int:pk>/opinions/", views.opinion_add, name="opinion_add"),
    path("items/<int:pk>/start/", views.item_start, name="item_start"),
    path("items/<int:pk>/codes/", views.item_codes, name="item_codes"),
    path("items/<int:pk>/end/", views.item_end, name="item_end"),
    path("items/<int:pk>/count/", views.item_count, name="item_count"),
    path("items/<int:pk>/confirm/", views.item_confirm, name="item_confirm"),
    path("items/<int:pk>/close/", views.item_close, name="item_close"),
    path("items/<int:pk>/sheet/", views.sheet, name="sheet"),
    path("items/<int:pk>/sheet.pdf", views.sheet_download, name="sheet_pdf"),
]
