from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "fazhan.notify"
    label = "notify"
    verbose_name = "通知"

    def ready(self) -> None:
        # Events produce notifications too (issue 14 item 6): a recording (through the saved
        # projection), a pre-review returned, a report campaign opened, returned or reminded,
        # feedback received, a case or task opened.
        from fazhan.notify.events import connect

        connect()
