from django.apps import AppConfig


class OrgAdminConfig(AppConfig):
    """Organization management pages and actions (Issue 12 item 3). A package of its own above
    `fazhan.orgs`, `fazhan.accounts` and `fazhan.people`: the actions read files and authority,
    which themselves import the organization model (tests/test_layers.py forbids the loop)."""

    name = "fazhan.orgadmin"
    label = "orgadmin"
