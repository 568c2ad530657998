from django.apps import AppConfig


class MobilityConfig(AppConfig):
    name = "fazhan.mobility"
    label = "mobility"

    def ready(self) -> None:
        from fazhan.accounts.authority import register_cooperation_source
        from fazhan.mobility.rights import open_cooperations

        # The one authority answers who may write; this app tells it which agreements are open.
        register_cooperation_source(open_cooperations)

        from fazhan.mobility.reporting import MOBILE_FIGURES
        from fazhan.reports.figures import register_figures

        # The report campaigns carry the mobile picture's counts (Issue 16 item 4).
        register_figures(MOBILE_FIGURES)
