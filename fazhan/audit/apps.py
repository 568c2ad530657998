from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fazhan.audit"
    label = "audit"
