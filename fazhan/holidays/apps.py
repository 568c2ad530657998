from django.apps import AppConfig


class HolidaysConfig(AppConfig):
    name = "fazhan.holidays"
    label = "holidays"
