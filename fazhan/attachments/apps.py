from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "fazhan.attachments"
    label = "attachments"
