from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "fazhan.meetings"
    label = "meetings"
    verbose_name = _("支部大会")

    def ready(self) -> None:
        # `fazhan audit verify` also checks every closed vote against its tally event
        # (spec/contracts.md §5).
        from fazhan.audit.chain import register_verifier
        from fazhan.meetings.verify import verify_closed_votes

        register_verifier(verify_closed_votes)
