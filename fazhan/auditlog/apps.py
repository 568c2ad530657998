from django.apps import AppConfig


class AuditLogConfig(AppConfig):
    name = "fazhan.auditlog"
    label = "auditlog"
