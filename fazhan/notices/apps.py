from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "fazhan.notices"
    label = "notices"
