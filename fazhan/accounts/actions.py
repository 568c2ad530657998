"""Every mutation of an account, one `do_<verb>` each (DESIGN.md principle 5, docs/accounts.md).

Who may do what (三员分立, DESIGN.md "Who uses it"):

- the system administrator manages every account but their own (create, hand over, reset a
  password, deactivate, reactivate) and never sees a candidate;
- district staff (区委组织部) manage the branch-secretary accounts of their subtree: an account
  all of whose roles, past and present, are 支部书记 roles inside it. Anyone else's account, the
  auditor's above all, is the system administrator's alone;
- everyone changes their own password, and only that way (an administrator's reset is for others).

Each action is atomic, locks the accounts it changes and appends one event per account it touches:
`account.<what happened>` with ids only (user_id, role_id, org_id), never a name (principle 8). A
handover never rewrites a role: the old one is ended (`Role.end`), the new one created, so events
recorded by the old secretary keep pointing at an account that still carries their name.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, get_hasher
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fazhan.accounts.authority import authority
from fazhan.accounts.models import Role, RoleKind, User
from fazhan.accounts.roster import RosterRow, RowError
from fazhan.audit.chain import append_event
from fazhan.core import dates
from fazhan.lib.names import syllables
from fazhan.orgs.models import Kind, Organization

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    UserLike = AbstractBaseUser | AnonymousUser

__all__ = [
    "AccountRefused",
    "Handover",
    "PlannedAccount",
    "RosterCheck",
    "RosterInvalid",
    "can_manage",
    "check_roster",
    "do_change_password",
    "do_create_branch_secretaries",
    "do_deactivate",
    "do_hand_over",
    "do_reactivate",
    "do_reset_password",
    "generate_password",
    "get_account_for_user",
    "manageable_ids",
    "managed_branches",
    "may_manage_accounts",
    "visible_accounts",
]

# One-time passwords are read out or written on paper: no 0/O/o, 1/l/I. 12 characters of 55 give
# about 69 bits, grouped by four (the dashes are part of the password).
PASSWORD_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
PASSWORD_GROUPS = 3
PASSWORD_GROUP_LENGTH = 4
# A random 69-bit secret needs no key stretching to resist guessing from a stolen hash; 1,000,000
# PBKDF2 rounds (Django's default, about 0.3 s) would make a roster of 300 branches take minutes.
# Django re-hashes at full strength at the first sign-in (the hasher's `must_update`), and the
# password the user then chooses is hashed with the defaults.
ONE_TIME_ITERATIONS = 20_000
# ASVS 5.0 V6.4.1: a system-generated initial password expires after a short time. Two weeks leave
# time to hand a printed roster out at a branch secretaries' meeting.
ONE_TIME_DAYS = 14

USERNAME_MAX_LENGTH = 30
GENERATED_BASE_LENGTH = 24
NAME_MAX_LENGTH = 64

# Used unless settings.AUTH_PASSWORD_VALIDATORS says otherwise: ASVS 5.0 V6.2 (at least 8
# characters, no composition rules, not a common password, not the account's own name).
DEFAULT_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


class AccountRefused(Exception):
    """The action was not carried out; `messages` say why (Chinese), `field` which input if any."""

    def __init__(self, messages: Sequence[str] | str, field: str | None = None) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        self.field = field
        super().__init__("；".join(self.messages))


class RosterInvalid(AccountRefused):
    """A roster with at least one error: nothing was created."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(
            [
                _("第 %(n)s 行 %(column)s：%(message)s")
                % {"n": e.line, "column": e.column, "message": e.message}
                for e in self.errors
            ]
        )


# -- who may act ---------------------------------------------------------------------------------


def may_manage_accounts(actor: UserLike) -> bool:
    """The system administrator and district staff; everyone else gets 404 on the pages."""
    return authority(actor).manages_accounts


def managed_org_ids(actor: UserLike) -> set[int] | None:
    """Organizations whose branch-secretary accounts the actor manages; None means all of them
    (the system administrator, whose `reach` is empty on purpose: accounts are not records)."""
    auth = authority(actor)
    if auth.is_sysadmin:
        return None
    return Organization.objects.subtree_ids(auth.roots(RoleKind.DISTRICT_STAFF))


def managed_branches(actor: UserLike) -> QuerySet[Organization]:
    orgs = managed_org_ids(actor)
    branches = Organization.objects.filter(kind=Kind.BRANCH)
    return branches if orgs is None else branches.filter(pk__in=orgs)


def visible_accounts(actor: UserLike) -> QuerySet[User]:
    """The accounts the management pages list: all for the system administrator; for district
    staff those with a role (current or ended) in their subtree."""
    if not may_manage_accounts(actor):
        return User.objects.none()
    orgs = managed_org_ids(actor)
    if orgs is None:
        return User.objects.all()
    return User.objects.filter(pk__in=Role.objects.filter(org_id__in=orgs).values("user_id"))


def get_account_for_user(actor: UserLike, pk: Any) -> User:
    """The account, if the actor's pages list it; otherwise 404 (existence is not revealed)."""
    try:
        return visible_accounts(actor).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该账号。")) from None


def _manages(roles: Iterable[tuple[str, int | None]], orgs: set[int] | None) -> bool:
    if orgs is None:
        return True
    listed = list(roles)
    return bool(listed) and all(
        kind == RoleKind.BRANCH_SECRETARY and org in orgs for kind, org in listed
    )


def can_manage(actor: UserLike, user: User) -> bool:
    """Whether the actor may reset, deactivate, reactivate or hand a branch to `user`."""
    if user.pk == actor.pk or not may_manage_accounts(actor):
        return False
    roles = Role.objects.filter(user_id=user.pk).values_list("kind", "org_id")
    return _manages(roles, managed_org_ids(actor))


def manageable_ids(actor: UserLike, user_ids: Iterable[int]) -> set[int]:
    """`can_manage` for a page of accounts in two queries."""
    ids = set(user_ids)
    if not may_manage_accounts(actor):
        return set()
    ids.discard(actor.pk)  # type: ignore[arg-type]
    orgs = managed_org_ids(actor)
    roles: dict[int, list[tuple[str, int | None]]] = {pk: [] for pk in ids}
    for user_id, kind, org in Role.objects.filter(user_id__in=ids).values_list(
        "user_id", "kind", "org_id"
    ):
        roles[user_id].append((kind, org))
    return {pk for pk in ids if _manages(roles[pk], orgs)}


def _require_manager(actor: UserLike) -> None:
    if not may_manage_accounts(actor):
        raise Http404(_("没有找到该页面。"))


def _require_can_manage(actor: UserLike, user: User) -> None:
    if user.pk == actor.pk:
        raise AccountRefused(_("不能对自己的账号进行此操作；修改自己的密码请用“修改密码”。"))
    if not visible_accounts(actor).filter(pk=user.pk).exists():
        raise Http404(_("没有找到该账号。"))
    if not can_manage(actor, user):
        raise AccountRefused(
            _("区委组织部只能管理本辖区的支部账号；其他账号由系统管理员管理（三员分立）。")
        )


# -- passwords -----------------------------------------------------------------------------------


def generate_password() -> str:
    groups = (
        "".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(PASSWORD_GROUP_LENGTH))
        for _g in range(PASSWORD_GROUPS)
    )
    return "-".join(groups)


def _one_time_days() -> int:
    return int(getattr(settings, "FAZHAN_ONE_TIME_PASSWORD_DAYS", ONE_TIME_DAYS))


def _set_one_time_password(user: User) -> str:
    """Give `user` a fresh one-time password (returned, never stored in clear) and require a change
    at the next sign-in. Does not save."""
    password = generate_password()
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        user.password = hasher.encode(password, hasher.salt(), iterations=ONE_TIME_ITERATIONS)
    else:
        user.set_password(password)
    user.must_change_password = True
    user.one_time_password_until = timezone.now() + timedelta(days=_one_time_days())
    return password


def password_validators() -> list[Any]:
    configured = getattr(settings, "AUTH_PASSWORD_VALIDATORS", None)
    return password_validation.get_password_validators(configured or DEFAULT_PASSWORD_VALIDATORS)


# -- the chain -----------------------------------------------------------------------------------


def _log(
    what: str,
    actor: UserLike,
    *,
    user: User,
    role: Role | None = None,
    org_id: int | None = None,
    **extra: Any,
) -> None:
    payload: dict[str, Any] = {
        "user_id": user.pk,
        "role_id": role.pk if role is not None else None,
        "org_id": org_id if org_id is not None else (role.org_id if role is not None else None),
    }
    append_event(
        kind=f"account.{what}",
        candidate_id=None,
        happened_on=dates.today(),
        payload=payload | extra,
        recorded_by_id=actor.pk,
    )


# -- the roster ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedAccount:
    """What a valid roster row will create; `holders` are the branch's current secretaries (a
    hint in the preview: a second account is right for a 组织委员, a handover for a new 书记)."""

    row: RosterRow
    branch: Organization | None
    username: str
    generated: bool
    holders: tuple[str, ...] = ()


@dataclass(frozen=True)
class RosterCheck:
    planned: list[PlannedAccount]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_of(self, line: int) -> list[RowError]:
        return [e for e in self.errors if e.line == line]


def _resolve_branches(texts: Iterable[str], orgs: set[int] | None) -> dict[str, list[Organization]]:
    """Each text to the organizations it names inside the actor's scope: a code first, then a full
    name, then a short name. Outside the scope looks exactly like not found (principle 6)."""
    wanted = {t for t in texts if t}
    candidates = Organization.objects.filter(
        Q(code__in=wanted) | Q(name__in=wanted) | Q(short_name__in=wanted)
    )
    if orgs is not None:
        candidates = candidates.filter(pk__in=orgs)
    found = list(candidates)
    result: dict[str, list[Organization]] = {}
    for text in wanted:
        for attribute in ("code", "name", "short_name"):
            matches = [o for o in found if getattr(o, attribute) == text]
            if matches:
                result[text] = matches
                break
    return result


def _username_problem(username: str) -> str | None:
    if len(username) > USERNAME_MAX_LENGTH:
        return _("用户名不能超过 %(n)s 个字符。") % {"n": USERNAME_MAX_LENGTH}
    try:
        ASCIIUsernameValidator()(username)
    except ValidationError:
        return _("用户名只能包含英文字母、数字和 @ . + - _。")
    return None


def _generated_username(name: str, taken: set[str]) -> str:
    base = "".join(syllables(name))[:GENERATED_BASE_LENGTH] or "zhibu"
    existing = {
        u.lower()
        for u in User.objects.filter(username__istartswith=base).values_list("username", flat=True)
    }
    candidate, number = base, 1
    while candidate in taken or candidate in existing:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def check_roster(actor: UserLike, rows: Sequence[RosterRow]) -> RosterCheck:
    """The preview: what each row would create and every error, by row and column. Reads only."""
    _require_manager(actor)
    orgs = managed_org_ids(actor)
    branches = _resolve_branches((r.branch.strip() for r in rows), orgs)
    errors: list[RowError] = []
    explicit: dict[str, int] = {}
    for row in rows:
        username = row.username.strip()
        if username and username.lower() not in explicit:
            explicit[username.lower()] = row.line
    in_use = set(
        User.objects.annotate(lowered=Lower("username"))
        .filter(lowered__in=list(explicit))
        .values_list("lowered", flat=True)
    )
    branch_ids = {o.pk for matches in branches.values() for o in matches}
    holders: dict[int, list[str]] = {}
    for role in Role.objects.filter(
        org_id__in=branch_ids, kind=RoleKind.BRANCH_SECRETARY, active=True
    ).select_related("user"):
        assert role.org_id is not None  # a branch-secretary role always has its branch
        holders.setdefault(role.org_id, []).append(f"{role.user}（{role.user.username}）")

    planned: list[PlannedAccount] = []
    seen_people: dict[tuple[int, str], int] = {}
    taken: set[str] = set(explicit)
    for row in rows:
        text = row.branch.strip()
        name = row.name.strip()
        username = row.username.strip()
        branch: Organization | None = None
        matches = branches.get(text, [])
        if not text:
            errors.append(RowError(row.line, "支部", _("不能为空。")))
        elif not matches:
            errors.append(RowError(row.line, "支部", _("找不到“%(t)s”。") % {"t": text}))
        elif len(matches) > 1:
            errors.append(
                RowError(row.line, "支部", _("“%(t)s”对应多个组织，请填写组织代码。") % {"t": text})
            )
        elif matches[0].kind != Kind.BRANCH:
            errors.append(RowError(row.line, "支部", _("“%(t)s”不是党支部。") % {"t": text}))
        else:
            branch = matches[0]
        if not name:
            errors.append(RowError(row.line, "姓名", _("不能为空。")))
        elif len(name) > NAME_MAX_LENGTH:
            errors.append(RowError(row.line, "姓名", _("过长。")))
        elif branch is not None:
            first = seen_people.setdefault((branch.pk, name), row.line)
            if first != row.line:
                errors.append(RowError(row.line, "姓名", _("与第 %(n)s 行重复。") % {"n": first}))
        generated = not username
        if username:
            problem = _username_problem(username)
            if problem is not None:
                errors.append(RowError(row.line, "用户名", problem))
            elif explicit.get(username.lower()) != row.line:
                errors.append(
                    RowError(
                        row.line,
                        "用户名",
                        _("与第 %(n)s 行相同。") % {"n": explicit[username.lower()]},
                    )
                )
            elif username.lower() in in_use:
                errors.append(RowError(row.line, "用户名", _("已被其他账号使用。")))
        elif name:
            username = _generated_username(name, taken)
            taken.add(username)
        planned.append(
            PlannedAccount(
                row=row,
                branch=branch,
                username=username,
                generated=generated,
                holders=tuple(holders.get(branch.pk, [])) if branch is not None else (),
            )
        )
    return RosterCheck(planned, errors)


def _create_secretary(actor: UserLike, plan: PlannedAccount) -> tuple[User, Role, str]:
    assert plan.branch is not None  # only called on a roster without errors
    user = User(username=plan.username, display_name=plan.row.name.strip())
    password = _set_one_time_password(user)
    user.save()
    role = Role(user=user, org=plan.branch, kind=RoleKind.BRANCH_SECRETARY)
    role.save()
    _log("created", actor, user=user, role=role)
    return user, role, password


def do_create_branch_secretaries(
    actor: UserLike, rows: Sequence[RosterRow]
) -> list[tuple[User, str]]:
    """Create one account and one 支部书记 role per roster row; return each account with its
    one-time password (shown once, never stored in clear). All rows or none: any error raises
    `RosterInvalid` listing every error by row and column, and nothing is written."""
    created: list[tuple[User, str]] = []
    try:
        with transaction.atomic():
            check = check_roster(actor, rows)
            if not check.ok:
                raise RosterInvalid(check.errors)
            for plan in check.planned:
                user, _role, password = _create_secretary(actor, plan)
                created.append((user, password))
    except IntegrityError:
        # Another clerk took one of the user names between the check and the insert.
        raise AccountRefused(_("有用户名刚被其他账号占用，请重新上传预览。")) from None
    return created


# -- handover ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    user: User
    role: Role
    ended: tuple[Role, ...]
    password: str | None = None
    deactivated: tuple[User, ...] = ()


def do_hand_over(
    actor: UserLike,
    *,
    branch: Organization,
    new_user: User | None = None,
    new_row: RosterRow | None = None,
    old_user: User | None = None,
    deactivate_old: bool = False,
) -> Handover:
    """A new secretary takes over `branch` (换届): end the old secretary's role there, so the old
    account loses access at once, and give the branch to `new_user` (reactivated if needed) or to a
    new account made from `new_row` (支部 is ignored, 姓名 and optional 用户名 used).

    `old_user` picks whose role ends when the branch has several accounts (书记 and 组织委员);
    without it the branch's only account is ended, or none if it has none. With `deactivate_old`
    the old accounts are also deactivated. The old rows stay: history keeps the old name.
    """
    _require_manager(actor)
    orgs = managed_org_ids(actor)
    if branch.kind != Kind.BRANCH or (orgs is not None and branch.pk not in orgs):
        raise Http404(_("没有找到该支部。"))
    if (new_user is None) == (new_row is None):
        raise AccountRefused(_("请指定接任者：已有账号或新建账号，二者选一。"))
    today = dates.today()
    with transaction.atomic():
        holders = list(
            Role.objects.select_for_update()
            .filter(org=branch, kind=RoleKind.BRANCH_SECRETARY, active=True)
            .select_related("user")
            .order_by("pk")
        )
        if old_user is not None:
            ending = [r for r in holders if r.user_id == old_user.pk]
            if not ending:
                raise AccountRefused(_("该账号不是本支部的有效账号。"), field="old_user")
        elif len(holders) > 1:
            raise AccountRefused(
                _("本支部有 %(n)s 个有效账号，请选择交出的账号。") % {"n": len(holders)},
                field="old_user",
            )
        else:
            ending = holders
        password: str | None = None
        if new_user is not None:
            user = User.objects.select_for_update().get(pk=new_user.pk)
            if any(r.user_id == user.pk for r in ending):
                raise AccountRefused(_("接任者与交出者是同一账号。"), field="new_user")
            _require_can_manage(actor, user)
            if not user.is_active:
                user.is_active = True
                user.save(update_fields=["is_active"])
                _log("reactivated", actor, user=user)
            role = next((r for r in holders if r.user_id == user.pk), None)
            if role is None:
                role = Role(user=user, org=branch, kind=RoleKind.BRANCH_SECRETARY)
                try:
                    role.full_clean()
                except ValidationError as error:
                    raise AccountRefused(error.messages, field="new_user") from None
                role.save()
        else:
            assert new_row is not None
            check = check_roster(actor, [replace(new_row, branch=branch.code)])
            if not check.ok:
                raise RosterInvalid(check.errors)
            user, role, password = _create_secretary(actor, check.planned[0])
        for ended in ending:
            ended.end(today)
            _log("role_ended", actor, user=ended.user, role=ended)
        _log(
            "handed_over",
            actor,
            user=user,
            role=role,
            ended_role_ids=[r.pk for r in ending],
        )
        deactivated: list[User] = []
        if deactivate_old:
            for previous in {r.user_id: r.user for r in ending}.values():
                _require_can_manage(actor, previous)
                if previous.is_active:
                    _deactivate(actor, previous)
                    deactivated.append(previous)
    return Handover(user, role, tuple(ending), password, tuple(deactivated))


# -- one account ---------------------------------------------------------------------------------


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def do_reset_password(actor: UserLike, user: User) -> str:
    """A new one-time password for `user`, to show the administrator once (no e-mail on the
    intranet). The user must choose a new password at the next sign-in; existing sessions end,
    since Django ties a session to the password hash."""
    _require_manager(actor)
    with transaction.atomic():
        locked = _lock_user(user)
        _require_can_manage(actor, locked)
        password = _set_one_time_password(locked)
        locked.save(update_fields=["password", "must_change_password", "one_time_password_until"])
        _log("password_reset", actor, user=locked)
    return password


def _deactivate(actor: UserLike, user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    _log("deactivated", actor, user=user)


def do_deactivate(actor: UserLike, user: User) -> User:
    """Stop the account signing in (Django refuses inactive accounts, and drops their sessions).
    Its roles stay as they are, as history and for a reactivation."""
    _require_manager(actor)
    with transaction.atomic():
        locked = _lock_user(user)
        _require_can_manage(actor, locked)
        if not locked.is_active:
            raise AccountRefused(_("该账号已经停用。"))
        _deactivate(actor, locked)
    return locked


def do_reactivate(actor: UserLike, user: User) -> User:
    _require_manager(actor)
    with transaction.atomic():
        locked = _lock_user(user)
        _require_can_manage(actor, locked)
        if locked.is_active:
            raise AccountRefused(_("该账号已经启用。"))
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        _log("reactivated", actor, user=locked)
    return locked


def do_change_password(user: UserLike, *, old_password: str, new_password: str) -> User:
    """The signed-in user replaces their own password (the only way anyone sets their own)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404(_("没有找到该页面。"))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        # hashers.check_password, not User.check_password: the latter re-hashes a one-time
        # password at full strength first, a wasted 0.3 s just before it is replaced.
        if not check_password(old_password, locked.password):
            raise AccountRefused(_("原密码不正确。"), field="old_password")
        if new_password == old_password:
            raise AccountRefused(_("新密码不能与原密码相同。"), field="new_password1")
        try:
            password_validation.validate_password(
                new_password, locked, password_validators=password_validators()
            )
        except ValidationError as error:
            raise AccountRefused(error.messages, field="new_password1") from None
        locked.set_password(new_password)
        locked.must_change_password = False
        locked.one_time_password_until = None
        locked.save(update_fields=["password", "must_change_password", "one_time_password_until"])
        _log("password_changed", locked, user=locked)
    return locked


# -- one account -----------------------------------------------------------------------------------

# Roles tied to a node of the tree, and where in the tree each may sit.
KIND_NODE = {
    RoleKind.DISTRICT_STAFF: "district",
    RoleKind.SUB_STAFF: "sub",
    RoleKind.BRANCH_SECRETARY: "branch",
}


def do_create_account(
    actor: UserLike,
    *,
    username: str,
    display_name: str,
    kind: str,
    org: Organization | None = None,
) -> tuple[User, str]:
    """One account with one role, by the system administrator (三员分立: accounts are theirs, and
    the auditor's and their own kind are theirs alone); returns it with its one-time password.
    District staff create branch secretaries through the roster instead."""
    if not authority(actor).is_sysadmin:
        raise Http404
    username = username.strip()
    problem = _username_problem(username)
    if problem:
        raise AccountRefused(problem, field="username")
    if User.objects.filter(username=username).exists():
        raise AccountRefused(_("用户名已被占用"), field="username")
    if kind not in RoleKind.values:
        raise AccountRefused(_("未知的角色"), field="kind")
    node = KIND_NODE.get(RoleKind(kind))
    if node is None and org is not None:
        raise AccountRefused(_("审计管理员和系统管理员不属于任何组织（三员分立）"), field="org")
    if node is not None and (org is None or org.kind != node):
        raise AccountRefused(_("这个角色须设在相应层级的组织"), field="org")
    with transaction.atomic():
        user = User(username=username, display_name=display_name.strip())
        password = _set_one_time_password(user)
        user.save()
        role = Role.objects.create(user=user, org=org, kind=kind)
        _log("created", actor, user=user, role=role)
    return user, password
