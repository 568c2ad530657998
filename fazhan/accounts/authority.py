"""One authority: what a user may read and write, answered in one place (DESIGN.md "Who uses it").

`authority(user)` returns the user's `Authority`, remembered on the user object (which lives for
one request). The active roles are read again on every call (one small query) and the remembered
answer is dropped as soon as they differ: a handover takes effect at once. Every question about a
user's roles goes through this object; no other module filters role tuples by hand.

Django's `is_superuser` and `is_staff` grant nothing here: under 三员分立 the system administrator
manages accounts and settings and sees no personal data, and the auditor reads everything but
never a decrypted ID number and writes nothing.

Extension point. Roles are not the only source of a right to write: Step 10 adds the sender of a
report, Step 12 the handler of a case, Step 13 the cooperating organization of a mobile candidate
(`fazhan.people.models.CandidateOrgLink`). Such an app registers a *grant source* with
`register_grant_source` (from its `AppConfig.ready`, since this module sits below it): a function
of the user returning `Grant(kind, org_id)` pairs. The grants are read with the roles on every
call; a grant reaches the subtree of its organization (`reach`) and adds its kind to
`writer_kinds` there, exactly like a role. A grant never makes its holder a committee
(`acting_committee`) nor bypasses 三员分立: the auditor and the system administrator write nothing
whatever a source says.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from fazhan.accounts.models import ADMIN_KINDS, SCOPED_KINDS, Role, RoleKind
from fazhan.orgs.models import Organization, nearest_approver

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from fazhan.accounts.models import User

    UserLike = AbstractBaseUser | AnonymousUser

# The one definition of the role sets (the writers, the committees above a branch).
# Writing roles: each works on the records of one subtree of the organization tree.
WRITER_KINDS: frozenset[str] = SCOPED_KINDS
# The committees above a branch (党委/党工委, 区委组织部): they consent, pre-review, approve,
# plan.
COMMITTEE_KINDS: frozenset[str] = frozenset({RoleKind.DISTRICT_STAFF, RoleKind.SUB_STAFF})
# The order in which a user's home is chosen when they hold several roles (the widest first).
_HOME_ORDER = (RoleKind.DISTRICT_STAFF, RoleKind.SUB_STAFF, RoleKind.BRANCH_SECRETARY)


@dataclass(frozen=True)
class Grant:
    """A right to write for one organization's subtree that is not a role (see the module's
    extension point). `kind` is the grant's own name, e.g. "report_sender"."""

    kind: str
    org_id: int


GrantSource = Callable[["UserLike"], Iterable[Grant]]
_grant_sources: list[GrantSource] = []


def register_grant_source(source: GrantSource) -> None:
    """Consult `source` for every user's grants from now on (once, at start-up)."""
    if source not in _grant_sources:
        _grant_sources.append(source)


def unregister_grant_source(source: GrantSource) -> None:
    if source in _grant_sources:
        _grant_sources.remove(source)


class Reach:
    """The organizations a user's roles cover. `everything` (the auditor, district staff at the
    root) lets a queryset skip the id filter altogether, and then the ids themselves are only read
    from the database if someone asks for them."""

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


RoleTuple = tuple[str, int | None]


class Authority:
    """What one user may do, from their active roles (and any grants). Cheap to build; the answers
    that need the tree are computed when first asked."""

    def __init__(self, roles: Iterable[RoleTuple], grants: Iterable[Grant] = ()) -> None:
        self.roles: tuple[RoleTuple, ...] = tuple(roles)
        self.grants: tuple[Grant, ...] = tuple(grants)
        self.kinds: frozenset[str] = frozenset(kind for kind, _org in self.roles)
        self._reach: Reach | None = None

    def __repr__(self) -> str:
        return f"Authority(roles={self.roles!r}, grants={self.grants!r})"

    # -- who the user is -----------------------------------------------------------------------

    @property
    def is_sysadmin(self) -> bool:
        return RoleKind.SYSADMIN in self.kinds

    @property
    def is_security_admin(self) -> bool:
        """安全保密管理员: grants and revokes roles, resets second factors (Step 8 item 2)."""
        return RoleKind.SECURITY_ADMIN in self.kinds

    @property
    def is_admin(self) -> bool:
        """Either administrator of 三员分立: no personal data, no record, whatever else."""
        return bool(self.kinds & ADMIN_KINDS)

    @property
    def is_read_only(self) -> bool:
        """The auditor reads everywhere and changes nothing."""
        return RoleKind.AUDITOR in self.kinds

    @property
    def _separated(self) -> bool:
        # 三员分立: the most restrictive role wins, even if someone granted another by mistake.
        return self.is_admin or self.is_read_only

    @property
    def is_district_staff(self) -> bool:
        return RoleKind.DISTRICT_STAFF in self.kinds

    @property
    def manages_accounts(self) -> bool:
        """The system administrator (every account) and district staff (branch secretaries of
        their subtree)."""
        return self.is_sysadmin or self.is_district_staff

    @property
    def is_committee(self) -> bool:
        """Holds a committee role somewhere (its work list is the committee steps)."""
        return bool(self.kinds & COMMITTEE_KINDS)

    @property
    def can_see_personal_data(self) -> bool:
        """Names, dates and masked ID numbers: any working role or the auditor, never the
        sysadmin."""
        return bool(self.kinds) and not self.is_admin

    @property
    def can_decrypt_id_numbers(self) -> bool:
        """A full ID number is shown only to staff of the subtree (DESIGN principle 8), never to
        the auditor or the system administrator. The caller still checks the person is in
        scope."""
        return bool(self.kinds & WRITER_KINDS) and not self._separated

    @property
    def is_writer(self) -> bool:
        """Holds a writing role (or grant) somewhere; never the auditor or the sysadmin."""
        return not self._separated and bool(self.roots() or self.grants)

    def roots(self, *kinds: str) -> list[int]:
        """The organizations of the user's roles of these kinds (every writing kind if none is
        named), in the order the roles were read, each once."""
        wanted = frozenset(kinds) if kinds else WRITER_KINDS
        found: list[int] = []
        for kind, org in self.roles:
            if kind in wanted and org is not None and org not in found:
                found.append(org)
        return found

    @property
    def home(self) -> int | None:
        """The organization of the user's widest role (district, then committee, then branch)."""
        for wanted in _HOME_ORDER:
            roots = self.roots(wanted)
            if roots:
                return roots[0]
        return None

    # -- reading -------------------------------------------------------------------------------

    @property
    def reach(self) -> Reach:
        """The auditor reaches all organizations; the system administrator none. A role at the
        root of the tree (district staff) reaches everything, and saying so lets querysets skip an
        id list as long as the district."""
        if self._reach is None:
            self._reach = self._find_reach()
        return self._reach

    def reach_roots(self) -> set[int]:
        """The organizations whose subtrees the user reads: those of the roles and the grants."""
        return set(self.roots()) | {grant.org_id for grant in self.grants}

    def _find_reach(self) -> Reach:
        if self.is_admin:
            return Reach(everything=False, org_ids=frozenset())
        roots = self.reach_roots()
        at_root = roots and Organization.objects.filter(pk__in=roots, parent__isnull=True).exists()
        if self.is_read_only or at_root:
            return Reach(everything=True)
        return Reach(everything=False, org_ids=frozenset(Organization.objects.subtree_ids(roots)))

    # -- writing -------------------------------------------------------------------------------

    def writer_kinds(self, org_id: int) -> set[str]:
        """The writing roles (and grant kinds) through which the user reaches organization
        `org_id`: held at the organization itself or at any organization above it."""
        if self._separated:
            return set()
        held = [(k, o) for k, o in self.roles if k in WRITER_KINDS and o is not None]
        held += [(g.kind, g.org_id) for g in self.grants]
        if not held:
            return set()
        above = set(Organization.objects.ancestor_ids(org_id))
        return {kind for kind, root in held if root in above}

    def may_write(self, org_id: int) -> bool:
        return bool(self.writer_kinds(org_id))

    def writes_as_committee(self, org_id: int) -> bool:
        """Whether the user writes for `org_id` through a committee role (a branch secretary
        alone does not record the committee's steps, rules-reference §1)."""
        return bool(self.writer_kinds(org_id) & COMMITTEE_KINDS)

    def writable_ids(self) -> set[int] | None:
        """Every organization the user may write for; None means every one (district staff at
        the root). Empty for the auditor and the system administrator."""
        if self._separated or not self.reach_roots():
            return set()
        # The same subtrees as the reach (neither administrator nor auditor here), read once.
        scope = self.reach
        return None if scope.everything else set(scope.org_ids)

    def committee_ids(self) -> set[int]:
        """Every organization under one of the user's committee roles (plans are theirs)."""
        if self._separated:
            return set()
        return Organization.objects.subtree_ids(self.roots(*COMMITTEE_KINDS))

    def branch_ids(self) -> set[int]:
        """Every organization under one of the user's branch roles (the branch side of the
        work: publishing notices, sending to pre-review)."""
        if self._separated:
            return set()
        return Organization.objects.subtree_ids(self.roots(RoleKind.BRANCH_SECRETARY))

    def approving_roots(self) -> set[int]:
        """The committees with approval authority (细则 art. 23) the user works for."""
        if self._separated:
            return set()
        return set(
            Organization.objects.filter(
                pk__in=self.roots(RoleKind.SUB_STAFF), can_approve=True
            ).values_list("pk", flat=True)
        )

    def approving_ids(self) -> set[int]:
        """Every organization under a committee with approval authority the user works for."""
        return Organization.objects.subtree_ids(self.approving_roots())

    def acting_committee(self, org_id: int, *, approving: bool = False) -> Organization | None:
        """The committee the user acts for over organization `org_id`: the nearest of their
        committee roles at or above it (a 党委 before the district). With `approving`, only a
        基层党委 with approval authority counts (细则 art. 23: the district never approves). None:
        the user holds no such role there (a branch never consents for itself)."""
        if self._separated:
            return None
        kinds = {RoleKind.SUB_STAFF} if approving else COMMITTEE_KINDS
        roots = set(self.roots(*kinds))
        if not roots:
            return None
        candidates = [o for o in Organization.objects.ancestor_ids(org_id) if o in roots]
        if approving:
            allowed = set(
                Organization.objects.filter(pk__in=candidates, can_approve=True).values_list(
                    "pk", flat=True
                )
            )
            candidates = [o for o in candidates if o in allowed]
        # ancestor_ids runs from the organization up: the first is the nearest.
        return Organization.objects.get(pk=candidates[0]) if candidates else None

    def superior(self, org_id: int) -> Organization | None:
        """The committee with approval authority over `org_id` (the nearest at or above it, 细则
        art. 23), whoever the user is: the organization S17 and S24 wait for."""
        return nearest_approver(org_id)


def _current_roles(user: UserLike) -> tuple[RoleTuple, ...]:
    if not user.is_authenticated or not user.is_active:
        return ()
    return tuple(Role.objects.filter(user_id=user.pk, active=True).values_list("kind", "org_id"))


def _current_grants(user: UserLike) -> tuple[Grant, ...]:
    if not user.is_authenticated or not user.is_active or not _grant_sources:
        return ()
    return tuple(grant for source in _grant_sources for grant in source(user))


# While a request that changes nothing runs (GET, HEAD: `ReadOnlyRequestAuthority`), each user's
# authority is read once: a page asks for it several times (menu, scope, queues, rights), and no
# role can change under a request that writes nothing. Unset elsewhere, so writes read afresh.
_read_only_request: ContextVar[dict[int, Authority] | None] = ContextVar(
    "fazhan_read_only_request", default=None
)


class ReadOnlyRequestAuthority:
    """Middleware: one read of the roles per user for a GET or HEAD request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with roles_read_once():
            return self.get_response(request)


@contextmanager
def roles_read_once() -> Iterator[None]:
    """Within this block each user's roles are read once (a request that changes nothing)."""
    token = _read_only_request.set({})
    try:
        yield
    finally:
        _read_only_request.reset(token)


def authority(user: UserLike) -> Authority:
    """The user's authority, remembered on the user object for the request. The roles (and
    grants) are read every time (a handover takes effect at once), except within one request
    that changes nothing (`ReadOnlyRequestAuthority`)."""
    memo = _read_only_request.get()
    if memo is not None and user.is_authenticated and user.pk is not None:
        found_once = memo.get(user.pk)
        if found_once is None:
            found_once = memo[user.pk] = _authority_now(user)
        return found_once
    return _authority_now(user)


def _authority_now(user: UserLike) -> Authority:
    roles = _current_roles(user)
    grants = _current_grants(user)
    cached: Authority | None = getattr(user, "_fazhan_authority", None)
    if cached is not None and cached.roles == roles and cached.grants == grants:
        return cached
    found = Authority(roles, grants)
    if user.is_authenticated:
        setattr(user, "_fazhan_authority", found)  # noqa: B010 (not a declared field)
    return found


def reach(user: UserLike) -> Reach:
    """What the user may read (what `fazhan.core.access` hands the organization tree)."""
    return authority(user).reach


def forget(user: UserLike) -> None:
    """Drop what was remembered on this user object (roles are re-read anyway; this also forgets
    a subtree after the organization tree itself changed)."""
    if hasattr(user, "_fazhan_authority"):
        delattr(user, "_fazhan_authority")
    memo = _read_only_request.get()
    if memo is not None and user.pk is not None:
        memo.pop(user.pk, None)


def writers_for(org_id: int) -> QuerySet[User]:
    """The active accounts holding a writing role at `org_id` or above it (who may handle an item
    of that organization), by username."""
    from fazhan.accounts.models import User

    above = Organization.objects.ancestors(org_id, include_self=True).values("pk")
    ids = Role.objects.filter(active=True, org_id__in=above, kind__in=sorted(WRITER_KINDS))
    return User.objects.filter(pk__in=ids.values("user_id"), is_active=True).order_by("username")


# -- view decorators ------------------------------------------------------------------------------

ViewFunc = Callable[..., HttpResponse]


def authority_required(
    test: Callable[[Authority], bool], message: str = ""
) -> Callable[[ViewFunc], ViewFunc]:
    """A view for signed-in users whose authority passes `test`; anyone else gets 404 (a page
    one may not use is not revealed, DESIGN principle 6)."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not test(authority(request.user)):
                raise Http404(message or _("没有找到该页面。"))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def _not_sysadmin(a: Authority) -> bool:
    return not a.is_sysadmin


def _writer(a: Authority) -> bool:
    return a.is_writer


# 三员分立: the system administrator has no access to personal data (DESIGN "Who uses it").
no_sysadmin = authority_required(_not_sysadmin)
# Pages that only change records: a writing role somewhere (never the auditor or the sysadmin).
requires_writer = authority_required(_writer)


# -- cooperating organizations (Step 13) ----------------------------------------------------------
#
# A cooperation agreement (seed 三(三): 双边共管, 委托培养, 跟踪教育, 授权考察) lets the cooperating
# organization record some steps of one candidate's file that another organization is responsible
# for. It is a right on one file, not on a subtree, so it is not a Grant: the mobility app
# registers a source answering "which agreements are open on this file", and the questions below
# are the only place that turns them into a right to write.


@dataclass(frozen=True)
class CooperationRight:
    """An open agreement on a file: its cooperating organization records `steps`."""

    agreement_id: int
    org_id: int
    kind: str
    steps: frozenset[str]


CooperationSource = Callable[[int], Iterable[CooperationRight]]
_cooperation_sources: list[CooperationSource] = []


def register_cooperation_source(source: CooperationSource) -> None:
    if source not in _cooperation_sources:
        _cooperation_sources.append(source)


def cooperations_of(user: UserLike, candidate_id: int) -> list[CooperationRight]:
    """The open agreements on the file through which the user writes: those whose cooperating
    organization the user writes for. Never for the auditor or the system administrator."""
    held = authority(user)
    if not held.is_writer:
        return []
    return [
        right
        for source in _cooperation_sources
        for right in source(candidate_id)
        if held.may_write(right.org_id)
    ]


def cooperation_for(user: UserLike, candidate_id: int, step: str) -> CooperationRight | None:
    """The agreement under which the user may record `step` on a file they are not responsible
    for (None: no agreement of theirs has that step in its scope)."""
    return next((r for r in cooperations_of(user, candidate_id) if step in r.steps), None)
