from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "fazhan.people"
    label = "people"
