from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "fazhan.plans"
    label = "plans"
