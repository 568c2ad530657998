from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "fazhan.members"
    label = "members"
