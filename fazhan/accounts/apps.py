from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fazhan.accounts"
    label = "accounts"
