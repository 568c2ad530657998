from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "fazhan.imports"
    label = "imports"

    def ready(self) -> None:
        from fazhan.imports.keys import rotate_rows
        from fazhan.people import keys

        # A draft row keeps a Fernet token of the ID number: `fazhan keys rotate` re-encrypts it.
        keys.register("imports.importrow", rotate_rows)
