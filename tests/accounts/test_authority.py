"""The one authority: what each role reads and writes, the committee it acts for, 三员分立, and a
handover taking effect at once (Step 7 item 2)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from fazhan.accounts.authority import (
    Grant,
    authority,
    no_sysadmin,
    register_grant_source,
    requires_writer,
    unregister_grant_source,
)
from fazhan.accounts.models import Role, RoleKind
from fazhan.orgs.models import Organization
from fazhan.testing.factories import BranchFactory, RoleFactory, SubOrgFactory, UserFactory

BRANCH = RoleKind.BRANCH_SECRETARY
SUB = RoleKind.SUB_STAFF
DISTRICT = RoleKind.DISTRICT_STAFF


@pytest.mark.django_db
def test_it_gives_each_role_its_reach(cast):
    every = set(Organization.objects.values_list("pk", flat=True))
    sub_a = {cast.sub_a, cast.general_branch_a, cast.branch_a, cast.branch_a2}
    assert authority(cast.qu).reach.everything
    assert authority(cast.shenji).reach.everything
    assert set(authority(cast.qu).reach.org_ids) == every
    assert not authority(cast.dangwei).reach.everything
    assert authority(cast.dangwei).reach.org_ids == {o.pk for o in sub_a}
    assert authority(cast.zhibu).reach.org_ids == {cast.branch_a.pk}
    assert authority(cast.zhibu2).reach.org_ids == {cast.branch_b.pk}
    for nobody in (cast.admin, cast.outsider, AnonymousUser()):
        assert not authority(nobody).reach.everything
        assert authority(nobody).reach.org_ids == frozenset()


@pytest.mark.django_db
def test_it_finds_writer_kinds_at_the_own_a_child_and_another_organization(cast):
    dangwei = authority(cast.dangwei)
    assert dangwei.writer_kinds(cast.sub_a.pk) == {SUB}  # own
    assert dangwei.writer_kinds(cast.branch_a.pk) == {SUB}  # a grandchild
    assert dangwei.writer_kinds(cast.branch_b.pk) == set()  # another subtree
    assert dangwei.writer_kinds(cast.district.pk) == set()  # above is not below
    zhibu = authority(cast.zhibu)
    assert zhibu.writer_kinds(cast.branch_a.pk) == {BRANCH}
    assert zhibu.writer_kinds(cast.general_branch_a.pk) == set()
    assert zhibu.writer_kinds(cast.branch_a2.pk) == set()
    assert authority(cast.qu).writer_kinds(cast.branch_b2.pk) == {DISTRICT}
    # A user with two roles on one path holds both there.
    RoleFactory(user=cast.zhibu, org=cast.sub_a, kind=SUB)
    assert authority(cast.zhibu).writer_kinds(cast.branch_a.pk) == {BRANCH, SUB}
    assert authority(cast.zhibu).writes_as_committee(cast.branch_a.pk)
    assert not authority(cast.zhibu2).writes_as_committee(cast.branch_b.pk)


@pytest.mark.django_db
def test_it_lets_the_auditor_and_the_sysadmin_write_nothing(cast):
    # Even with a writing role slipped past 三员分立's check at entry.
    Role.objects.create(user=cast.shenji, org=cast.branch_a, kind=BRANCH)
    Role.objects.create(user=cast.admin, org=cast.district, kind=DISTRICT)
    for user in (cast.shenji, cast.admin):
        auth = authority(user)
        assert not auth.is_writer
        assert auth.writer_kinds(cast.branch_a.pk) == set()
        assert not auth.may_write(cast.branch_a.pk)
        assert auth.writable_ids() == set()
        assert auth.acting_committee(cast.branch_a.pk) is None
        assert auth.approving_ids() == set()
    assert authority(cast.shenji).is_read_only
    assert authority(cast.admin).is_sysadmin
    assert not authority(cast.admin).can_see_personal_data


@pytest.mark.django_db
def test_it_acts_for_the_nearest_committee_approving_or_not(cast):
    # A 基层党委 under the 街道党工委 without approval authority (细则 art. 23 ¶2), with a branch.
    inner = SubOrgFactory(parent=cast.sub_a, can_approve=False, code="D-A-9")
    branch = BranchFactory(parent=inner, code="D-A-9-1")
    inner_staff = UserFactory(username="inner")
    RoleFactory(user=inner_staff, org=inner, kind=SUB)

    assert authority(inner_staff).acting_committee(branch.pk) == inner
    assert authority(inner_staff).acting_committee(branch.pk, approving=True) is None
    # The 党工委 above acts for it, and approves.
    assert authority(cast.dangwei).acting_committee(branch.pk) == cast.sub_a
    assert authority(cast.dangwei).acting_committee(branch.pk, approving=True) == cast.sub_a
    # District staff act for every branch and never approve.
    assert authority(cast.qu).acting_committee(branch.pk) == cast.district
    assert authority(cast.qu).acting_committee(branch.pk, approving=True) is None
    # A branch never acts as a committee, not even for itself.
    assert authority(cast.zhibu).acting_committee(cast.branch_a.pk) is None
    # Outside the subtree there is no committee to act for.
    assert authority(inner_staff).acting_committee(cast.branch_b.pk) is None
    # With roles at both levels, the nearest wins.
    RoleFactory(user=inner_staff, org=cast.sub_a, kind=SUB)
    assert authority(inner_staff).acting_committee(branch.pk) == inner
    assert authority(inner_staff).acting_committee(branch.pk, approving=True) == cast.sub_a
    # The superior with approval authority does not depend on who asks.
    assert authority(cast.zhibu).superior(branch.pk) == cast.sub_a
    assert authority(cast.zhibu).superior(cast.branch_b.pk) == cast.sub_b


@pytest.mark.django_db
def test_it_takes_a_handover_into_account_at_once(cast):
    auth = authority(cast.zhibu)
    assert auth.may_write(cast.branch_a.pk)
    assert authority(cast.zhibu) is auth  # remembered while the roles are the same
    successor = UserFactory(username="zhibu-new")
    cast.zhibu.roles.get().end(date(2026, 3, 1))
    RoleFactory(user=successor, org=cast.branch_a, kind=BRANCH)
    # The same user object (one request): the ended role grants nothing any more.
    assert not authority(cast.zhibu).may_write(cast.branch_a.pk)
    assert authority(cast.zhibu).reach.org_ids == frozenset()
    assert authority(successor).may_write(cast.branch_a.pk)


@pytest.mark.django_db
def test_it_names_roots_home_and_capabilities(cast):
    RoleFactory(user=cast.zhibu, org=cast.sub_b, kind=SUB)
    auth = authority(cast.zhibu)
    assert auth.roots(BRANCH) == [cast.branch_a.pk]
    assert set(auth.roots()) == {cast.branch_a.pk, cast.sub_b.pk}
    assert auth.home == cast.sub_b.pk  # the widest role
    assert auth.is_committee and not auth.is_district_staff
    assert auth.branch_ids() == {cast.branch_a.pk}
    assert auth.approving_roots() == {cast.sub_b.pk}
    assert authority(cast.qu).is_district_staff
    assert authority(cast.qu).writable_ids() is None  # everything, without an id list
    assert authority(cast.dangwei).can_decrypt_id_numbers
    assert not authority(cast.shenji).can_decrypt_id_numbers
    assert authority(cast.outsider).home is None


@pytest.mark.django_db
def test_it_consults_registered_grant_sources(cast):
    """The extension point for report senders, case handlers and cooperating organizations."""

    def cooperating(user):
        return [Grant("cooperating", cast.branch_b.pk)] if user.pk == cast.zhibu.pk else []

    register_grant_source(cooperating)
    try:
        auth = authority(cast.zhibu)
        assert auth.writer_kinds(cast.branch_b.pk) == {"cooperating"}
        assert not auth.writes_as_committee(cast.branch_b.pk)
        assert auth.acting_committee(cast.branch_b.pk) is None
        assert cast.branch_b.pk in auth.reach.org_ids
        assert authority(cast.zhibu2).writer_kinds(cast.branch_a.pk) == set()
    finally:
        unregister_grant_source(cooperating)
    assert authority(cast.zhibu).writer_kinds(cast.branch_b.pk) == set()


@pytest.mark.django_db
def test_it_guards_views_by_authority(cast):
    def view(request):
        from django.http import HttpResponse

        return HttpResponse("ok")

    from django.http import Http404

    factory = RequestFactory()

    def call(decorated, user):
        request = factory.get("/x/")
        request.user = user
        return decorated(request)

    assert call(no_sysadmin(view), cast.shenji).status_code == 200
    assert call(requires_writer(view), cast.zhibu).status_code == 200
    with pytest.raises(Http404):
        call(no_sysadmin(view), cast.admin)
    with pytest.raises(Http404):
        call(requires_writer(view), cast.shenji)
    assert call(requires_writer(view), AnonymousUser()).status_code == 302  # to the login page


def _role_reads(captured) -> int:
    return sum(
        q["sql"].startswith("SELECT") and '"accounts_role"' in q["sql"]
        for q in captured.captured_queries
    )


def test_it_reads_the_roles_once_per_get_and_afresh_in_a_post(cast, rf):
    from django.db import connection
    from django.http import HttpResponse
    from django.test.utils import CaptureQueriesContext

    from fazhan.accounts.authority import ReadOnlyRequestAuthority, authority

    seen = []

    def view(request):
        seen.append([authority(cast.zhibu).writer_kinds(cast.branch_a.pk) for _ in range(3)])
        if request.method == "POST":  # a handover in the middle of a write takes effect at once
            cast.zhibu.roles.update(active=False)
            seen.append([authority(cast.zhibu).writer_kinds(cast.branch_a.pk)])
        return HttpResponse()

    middleware = ReadOnlyRequestAuthority(view)
    with CaptureQueriesContext(connection) as reads:
        middleware(rf.get("/"))
    assert _role_reads(reads) == 1
    with CaptureQueriesContext(connection) as reads:
        middleware(rf.post("/"))
    assert _role_reads(reads) == 4
    assert seen[-1] == [set()] and seen[-2][0]
    # Outside any request (commands, jobs, tests) every call reads the roles.
    with CaptureQueriesContext(connection) as reads:
        authority(cast.zhibu)
        authority(cast.zhibu)
    assert _role_reads(reads) == 2
