from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fazhan.accounts"
    label = "accounts"

    def ready(self) -> None:
        # The organization tree reads each user's reach through fazhan.core.access (it sits below
        # this app and must not import it): the one answer is the user's Authority.
        from fazhan.accounts.authority import reach
        from fazhan.core.access import register_reach

        register_reach(reach)
