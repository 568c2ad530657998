"""What a user may reach, derived from the user's active roles (DESIGN.md "Who uses it").

Every `visible_to(user)` goes through `user_org_ids`. Django's `is_superuser` and `is_staff` grant
nothing here: under 三员分立 the system administrator manages accounts and settings and sees no
personal data, and the auditor reads everything but never a decrypted ID number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fazhan.accounts.models import ADMIN_KINDS, SCOPED_KINDS, Role, RoleKind
from fazhan.orgs.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser


def active_roles(user: UserLike) -> list[tuple[str, int | None]]:
    """(kind, org id) of the user's active roles; none for anonymous or deactivated accounts."""
    if not user.is_authenticated or not user.is_active:
        return []
    return list(Role.objects.filter(user_id=user.pk, active=True).values_list("kind", "org_id"))


def role_kinds(user: UserLike) -> set[str]:
    return {kind for kind, _ in active_roles(user)}


class Reach:
    """The organizations a user's active roles cover. `everything` (the auditor, district staff
    at the root) lets a queryset skip the id filter altogether, and then the ids themselves are
    only read from the database if someone asks for them."""

    def __init__(self, everything: bool, org_ids: frozenset[int] | None = None) -> None:
        self.everything = everything
        self._org_ids = org_ids

    @property
    def org_ids(self) -> frozenset[int]:
        if self._org_ids is None:
            self._org_ids = frozenset(Organization.objects.values_list("pk", flat=True))
        return self._org_ids

    def __repr__(self) -> str:
        return f"Reach(everything={self.everything}, org_ids={len(self.org_ids)})"


def reach(user: UserLike) -> Reach:
    """The auditor reaches all organizations; the system administrator none, even if someone
    granted another role by mistake (三员分立: the most restrictive role wins).

    Remembered on the user object, which lives for one request: a page asks several times. A role
    at the root of the tree (district staff) reaches everything, and saying so lets querysets skip
    an id list as long as the district."""
    roles = active_roles(user)
    cached: tuple[list[tuple[str, int | None]], Reach] | None = getattr(user, "_fazhan_reach", None)
    # The roles are read every time (one small query): a handover takes effect at once.
    if cached is not None and cached[0] == roles:
        return cached[1]
    found = _reach(roles)
    if user.is_authenticated:
        setattr(user, "_fazhan_reach", (roles, found))  # noqa: B010 (not a declared field)
    return found


def _reach(roles: list[tuple[str, int | None]]) -> Reach:
    kinds = {kind for kind, _ in roles}
    if kinds & ADMIN_KINDS:
        return Reach(everything=False, org_ids=frozenset())
    roots = {org for kind, org in roles if kind in SCOPED_KINDS and org is not None}
    at_root = roots and Organization.objects.filter(pk__in=roots, parent__isnull=True).exists()
    if RoleKind.AUDITOR in kinds or at_root:
        return Reach(everything=True)
    return Reach(everything=False, org_ids=frozenset(Organization.objects.subtree_ids(roots)))


def user_org_ids(user: UserLike) -> set[int]:
    """Ids of every organization in the subtrees of the user's active roles."""
    return set(reach(user).org_ids)


def can_see_personal_data(user: UserLike) -> bool:
    """Names, dates and masked ID numbers: any working role or the auditor, never the sysadmin."""
    kinds = role_kinds(user)
    return bool(kinds) and not kinds & ADMIN_KINDS


def can_decrypt_id_number(user: UserLike) -> bool:
    """A full ID number is shown only to staff of the subtree (DESIGN principle 8), never to the
    auditor or the system administrator. The caller still checks that the person is in scope."""
    kinds = role_kinds(user)
    return bool(kinds & SCOPED_KINDS) and not kinds & {RoleKind.AUDITOR, *ADMIN_KINDS}


def is_read_only(user: UserLike) -> bool:
    """The auditor reads everywhere and changes nothing."""
    return RoleKind.AUDITOR in role_kinds(user)


def is_sysadmin(user: UserLike) -> bool:
    return RoleKind.SYSADMIN in role_kinds(user)


def forget_reach(user: UserLike) -> None:
    """Drop what `reach` remembered on this user object (roles are re-read anyway; this also
    forgets a subtree after the organization tree itself changed)."""
    if hasattr(user, "_fazhan_reach"):
        delattr(user, "_fazhan_reach")
