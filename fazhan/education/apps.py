from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "fazhan.education"
    label = "education"
    verbose_name = "积极分子教育"
