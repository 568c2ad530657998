from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fazhan.web"
    label = "web"
    verbose_name = "Fazhan back office"
