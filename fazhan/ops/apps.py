from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "fazhan.ops"
    label = "ops"
    verbose_name = "Fazhan operations"

    def ready(self) -> None:
        # Registers the secrets checks with Django's system check framework.
        from fazhan.ops import checks  # noqa: F401
