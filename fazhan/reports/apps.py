from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fazhan.reports"
    label = "reports"
