"""What a user may read, as the organization tree sees it.

The organization model sits below the accounts app (a role points at an organization), yet
`Organization.objects.visible_to(user)` needs the user's reach. Rather than importing upwards,
the tree asks this module, and the accounts app registers the one answer (its `Authority`) when
Django starts (`AccountsConfig.ready`). Until then every reach is empty: nothing is visible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


class ReachLike(Protocol):
    @property
    def everything(self) -> bool: ...

    @property
    def org_ids(self) -> frozenset[int]: ...


class _Nothing:
    everything = False
    org_ids: frozenset[int] = frozenset()


_provider: Callable[[UserLike], ReachLike] | None = None


def register_reach(provider: Callable[[UserLike], ReachLike]) -> None:
    global _provider  # noqa: PLW0603 (set once, at start-up)
    _provider = provider


def reach_of(user: UserLike) -> ReachLike:
    return _Nothing() if _provider is None else _provider(user)


_M = TypeVar("_M", bound=models.Model)


class OrgScopedQuerySet(models.QuerySet[_M]):
    """Rows that belong to one organization (`org_id`): those of the organizations in the user's
    reach (DESIGN principle 6), everything for a reach over the whole district."""

    def visible_to(self, user: UserLike) -> Self:
        scope = reach_of(user)
        return self.all() if scope.everything else self.filter(org_id__in=scope.org_ids)
