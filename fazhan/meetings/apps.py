from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "fazhan.meetings"
    label = "meetings"
