from django.apps import AppConfig


class PaperworkConfig(AppConfig):
    name = "fazhan.paperwork"
    label = "paperwork"
