from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "fazhan.people"
    label = "people"

    def ready(self) -> None:
        from fazhan.holidays.actions import table_changed
        from fazhan.people.record import register_projection_listener
        from fazhan.people.summary import sync_summary
        from fazhan.people.sweep import reproject_year

        # A confirmed (or reopened) year changes working-day deadlines: re-project at once.
        table_changed.connect(reproject_year, dispatch_uid="people.reproject_year")
        # The counts summary follows every saved projection (fazhan.people.summary).
        register_projection_listener(sync_summary)
