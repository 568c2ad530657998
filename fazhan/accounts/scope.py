"""What a user may reach: the older, function-shaped face of `fazhan.accounts.authority`.

Every `visible_to(user)` goes through `reach`. These helpers answer from the user's `Authority`
(one place, remembered for the request); new code asks `authority(user)` directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fazhan.accounts.authority import Reach, authority, forget, reach

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser

__all__ = [
    "Reach",
    "can_decrypt_id_number",
    "can_see_personal_data",
    "forget_reach",
    "is_read_only",
    "is_sysadmin",
    "reach",
    "user_org_ids",
]


def user_org_ids(user: UserLike) -> set[int]:
    """Ids of every organization in the subtrees of the user's active roles."""
    return set(reach(user).org_ids)


def can_see_personal_data(user: UserLike) -> bool:
    return authority(user).can_see_personal_data


def can_decrypt_id_number(user: UserLike) -> bool:
    return authority(user).can_decrypt_id_numbers


def is_read_only(user: UserLike) -> bool:
    return authority(user).is_read_only


def is_sysadmin(user: UserLike) -> bool:
    return authority(user).is_sysadmin


def forget_reach(user: UserLike) -> None:
    forget(user)
