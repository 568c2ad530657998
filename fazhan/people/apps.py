from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "fazhan.people"
    label = "people"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from fazhan.holidays.actions import table_changed
        from fazhan.people.record import register_projection_listener
        from fazhan.people.stagecounts import on_post_migrate
        from fazhan.people.summary import sync_summary
        from fazhan.people.sweep import reproject_year

        # A confirmed (or reopened) year changes working-day deadlines: re-project at once.
        table_changed.connect(reproject_year, dispatch_uid="people.reproject_year")
        # The counts summary follows every saved projection (fazhan.people.summary).
        register_projection_listener(sync_summary)
        # The per-subtree stage counts' triggers, after every migrate (fazhan.people.stagecounts).
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="people.stage_counts")
