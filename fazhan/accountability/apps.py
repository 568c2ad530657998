from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "fazhan.accountability"
    label = "accountability"
    verbose_name = "责任追究"

    def ready(self) -> None:
        # New findings arrive at each recording and by the daily sweep (issue 15 item 1): both
        # end in the projection, which tells its listeners; the register is one of them.
        from fazhan.accountability.register import sync_register
        from fazhan.people.record import register_projection_listener

        register_projection_listener(sync_register)
