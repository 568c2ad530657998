"""The organization pages: who sees them, the tree's counts, and the actions through the forms."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fazhan.audit.models import Event
from fazhan.orgs.models import Member, Organization
from fazhan.testing.factories import BranchFactory, CandidateFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


@pytest.mark.parametrize(
    ("username", "status"),
    [("qu", 200), ("dangwei", 200), ("zhibu", 404), ("shenji", 404), ("admin", 404), (None, 302)],
)
def test_it_shows_the_tree_to_district_and_committee_staff_only(client, cast, username, status):
    if username:
        client.force_login(cast.users[username])
    assert client.get("/orgs/").status_code == status


def test_committee_staff_read_their_subtree_without_managing_it(client, cast):
    client.force_login(cast.dangwei)
    body = client.get("/orgs/").content.decode()
    assert cast.branch_a.name in body and cast.sub_b.name not in body
    assert "新建党组织" not in body
    assert client.get(f"/orgs/{cast.sub_b.pk}/").status_code == 404
    detail = client.get(f"/orgs/{cast.branch_a.pk}/").content.decode()
    assert "撤销该组织" not in detail
    assert client.get("/orgs/new/").status_code == 404
    assert client.post(f"/orgs/{cast.branch_a.pk}/type/", {"org_type": "school"}).status_code == 404
    assert client.get(f"/orgs/{cast.branch_a.pk}/move/").status_code == 404


def test_the_tree_counts_each_subtree_in_a_few_queries(client, cast):
    Member.objects.create(org=cast.branch_a, name="党员甲")
    Member.objects.create(org=cast.branch_a2, name="党员乙")
    Member.objects.create(org=cast.branch_a2, name="党员丙", active=False)
    CandidateFactory.create(org=cast.branch_a, target=True)
    for i in range(20):  # more nodes: the number of queries stays the same
        BranchFactory.create(parent=cast.sub_b, code=f"D-B-X{i}", name=f"扩展支部{i}")
    client.force_login(cast.qu)
    from fazhan.orgadmin.tree import tree_rows

    with CaptureQueriesContext(connection) as queries:
        rows = tree_rows(cast.qu)
    assert len(queries) <= 5  # roles, root check, the tree, files, members
    node = {n.org.pk: n for n in rows}
    # cast: cand_a applicant at branch_a, cand_a2 activist at branch_a2, plus one target above.
    assert (node[cast.sub_a.pk].activists, node[cast.sub_a.pk].targets) == (1, 1)
    assert node[cast.sub_a.pk].members == 2
    assert node[cast.district.pk].probationary == 1  # cand_b2
    assert node[cast.branch_a.pk].depth == 3


def test_the_tree_hides_closed_organizations_unless_asked(client, cast):
    closed = BranchFactory.create(parent=cast.sub_a, code="D-A-Z", name="已撤销支部")
    Organization.objects.filter(pk=closed.pk).update(closed_on=TODAY)
    cast.branch_a.secretary = "赵书记"
    cast.branch_a.save()
    client.force_login(cast.qu)
    body = client.get("/orgs/").content.decode()
    assert "已撤销支部" not in body and "赵书记" in body
    assert "已撤销支部" in client.get("/orgs/?closed=1").content.decode()


def test_it_creates_an_organization_through_the_page(client, cast):
    client.force_login(cast.qu)
    assert client.get(f"/orgs/new/?parent={cast.sub_a.pk}").status_code == 200
    response = client.post(
        "/orgs/new/",
        {"parent": cast.sub_a.pk, "code": "D-A-7", "name": "新建支部", "level": "branch"},
    )
    org = Organization.objects.get(code="D-A-7")
    assert response.status_code == 302 and response["Location"] == f"/orgs/{org.pk}/"
    refused = client.post(
        "/orgs/new/",
        {"parent": cast.sub_a.pk, "code": "D-A-7", "name": "再建", "level": "branch"},
    )
    assert refused.status_code == 422
    assert "组织编码「D-A-7」已被使用" in refused.content.decode()


def test_it_refuses_approval_on_a_branch_on_the_page(client, cast):
    client.force_login(cast.qu)
    response = client.post(f"/orgs/{cast.branch_a.pk}/approval/", {"can_approve": "on"})
    assert response.status_code == 422
    assert "党支部不能具有审批权限" in response.content.decode()


def test_it_confirms_a_move_saying_who_approves_afterwards(client, cast):
    client.force_login(cast.qu)
    url = f"/orgs/{cast.general_branch_a.pk}/move/"
    form = {"target": cast.sub_b.pk, "on": "2026-03-02"}
    page = client.post(url, form)
    body = page.content.decode()
    assert page.status_code == 200 and "请确认" in body
    assert f"由「{cast.sub_a.name}」变为「{cast.sub_b.name}」" in body
    cast.general_branch_a.refresh_from_db()
    assert cast.general_branch_a.parent_id == cast.sub_a.pk  # not yet
    done = client.post(url, form | {"confirm": "True"})
    assert done.status_code == 302
    cast.general_branch_a.refresh_from_db()
    assert cast.general_branch_a.parent_id == cast.sub_b.pk
    assert Event.objects.filter(kind="org.updated").count() == 1


def test_it_refuses_a_move_under_a_descendant_on_the_page(client, cast):
    client.force_login(cast.qu)
    response = client.post(
        f"/orgs/{cast.sub_a.pk}/move/",
        {"target": cast.general_branch_a.pk, "on": "2026-03-02", "confirm": "True"},
    )
    # A descendant is not even offered; posted anyway, the form refuses it.
    assert response.status_code in (200, 422)
    cast.sub_a.refresh_from_db()
    assert cast.sub_a.parent_id == cast.district.pk
    assert not Event.objects.filter(kind="org.updated").exists()


def test_it_merges_through_the_page_after_confirming_the_counts(client, cast):
    Member.objects.create(org=cast.branch_a2, name="党员乙")
    client.force_login(cast.qu)
    url = f"/orgs/{cast.branch_a2.pk}/merge/"
    form = {"target": cast.branch_a.pk, "on": "2026-03-02"}
    body = client.post(url, form).content.decode()
    assert "1 份在办档案和名册上的 1 名党员将转入" in body
    done = client.post(url, form | {"confirm": "True"})
    assert done.status_code == 302 and done["Location"] == f"/orgs/{cast.branch_a.pk}/"
    cast.branch_a2.refresh_from_db()
    assert cast.branch_a2.closed_on == TODAY
    assert Event.objects.filter(kind="org.merged").count() == 1


def test_it_refuses_to_close_with_the_reason_on_the_page(client, cast):
    client.force_login(cast.qu)
    response = client.post(f"/orgs/{cast.branch_a.pk}/close/", {"on": "2026-03-02"})
    assert response.status_code == 422
    name = cast.candidates["cand_a"].person.name
    assert f"还有 1 份在办档案（{name}）" in response.content.decode()
    future = client.post(f"/orgs/{cast.branch_a.pk}/close/", {"on": "2026-03-03"})
    assert future.status_code == 422
    cast.branch_a.refresh_from_db()
    assert cast.branch_a.closed_on is None
