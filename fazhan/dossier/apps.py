from django.apps import AppConfig


class DossierConfig(AppConfig):
    name = "fazhan.dossier"
    label = "dossier"
