from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "fazhan.orgs"
    label = "orgs"
