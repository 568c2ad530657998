from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "fazhan.public"
    label = "public"
