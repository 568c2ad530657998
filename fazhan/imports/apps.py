from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "fazhan.imports"
    label = "imports"
