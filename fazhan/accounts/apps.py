from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fazhan.accounts"
    label = "accounts"

    def ready(self) -> None:
        # The organization tree reads each user's reach through fazhan.core.access (it sits below
        # this app and must not import it).
        from fazhan.accounts.scope import reach
        from fazhan.core.access import register_reach

        register_reach(reach)
