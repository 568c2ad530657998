"""The organization tree: structure rules, approval authority, scoping (DESIGN principle 6)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from fazhan.orgs.models import Kind, Level, Organization, get_org_for_user, nearest_approver
from fazhan.testing.factories import BranchFactory, GeneralBranchFactory, SubOrgFactory

EXPECTED = {
    "qu": "all",
    "dangwei": {"sub_a", "general_branch_a", "branch_a", "branch_a2"},
    "zhibu": {"branch_a"},
    "zhibu2": {"branch_b"},
    "shenji": "all",
    "admin": set(),
    "outsider": set(),
}
NODES = [
    "district",
    "sub_a",
    "general_branch_a",
    "branch_a",
    "branch_a2",
    "sub_b",
    "general_branch_b",
    "branch_b",
    "branch_b2",
]


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_it_scopes_organizations_to_each_cast_user(cast, who):
    user = cast.users[who]
    expected = set(NODES) if EXPECTED[who] == "all" else EXPECTED[who]
    visible = set(Organization.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == {getattr(cast, name).pk for name in expected}
    for name in NODES:
        org = getattr(cast, name)
        if name in expected:
            assert get_org_for_user(user, org.pk) == org
        else:
            with pytest.raises(Http404):
                get_org_for_user(user, org.pk)


@pytest.mark.django_db
def test_it_collects_subtrees_without_confusing_ids(cast):
    ids = Organization.objects.subtree_ids([cast.sub_b.pk])
    assert ids == {cast.sub_b.pk, cast.general_branch_b.pk, cast.branch_b.pk, cast.branch_b2.pk}
    assert Organization.objects.subtree_ids([]) == set()
    # Enough nodes that some id contains another one's digits (1 inside 11): no false match.
    extra = BranchFactory.create_batch(12, parent=cast.sub_a)
    ids = Organization.objects.subtree_ids([cast.branch_a.pk])
    assert ids == {cast.branch_a.pk}
    assert {org.pk for org in extra} <= Organization.objects.subtree_ids([cast.sub_a.pk])


@pytest.mark.django_db
def test_it_finds_the_nearest_organization_with_approval_authority(cast):
    # 细则 art. 23: the branch's file goes up to its 基层党委; the 党总支 in between cannot approve.
    assert nearest_approver(cast.branch_a) == cast.sub_a
    assert cast.branch_b.approver() == cast.sub_b
    assert nearest_approver(cast.general_branch_a) == cast.sub_a
    assert nearest_approver(cast.sub_a) == cast.sub_a
    assert nearest_approver(cast.district) is None


@pytest.mark.django_db
def test_it_skips_a_committee_without_authority(cast):
    # 细则 art. 23 ¶2: a 基层党委 under a 乡镇/街道党委 reviews but cannot approve.
    inner = SubOrgFactory(parent=cast.sub_b, can_approve=False, name="村党委")
    branch = BranchFactory(parent=inner)
    assert nearest_approver(branch) == cast.sub_b
    assert nearest_approver(branch.pk) == cast.sub_b


@pytest.mark.django_db
def test_it_never_gives_a_general_branch_approval_authority(cast):
    general = GeneralBranchFactory.build(parent=cast.sub_a, can_approve=True, code="X1")
    with pytest.raises(ValidationError, match="审批权限"):
        general.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        general.save()


@pytest.mark.django_db
def test_it_lets_the_root_hold_approval_authority_but_never_a_branch(cast):
    cast.district.can_approve = True
    cast.district.full_clean()
    cast.district.save()
    branch = BranchFactory.build(parent=cast.sub_a, can_approve=True, code="X2")
    with pytest.raises(ValidationError, match="审批权限"):
        branch.full_clean()


@pytest.mark.django_db
def test_it_fills_the_level_from_the_kind(cast):
    assert cast.district.level == Level.COMMITTEE
    assert cast.sub_a.level == Level.WORKING_COMMITTEE  # 城关街道党工委
    assert cast.general_branch_a.level == Level.GENERAL_BRANCH
    assert cast.branch_a.level == Level.BRANCH


@pytest.mark.django_db
def test_it_has_one_kind_of_root(cast):
    with transaction.atomic(), pytest.raises(IntegrityError):
        BranchFactory(parent=None)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Organization.objects.create(
            name="另一区", kind=Kind.DISTRICT, parent=cast.district, code="Y"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "parent"),
    # contracts.md §7: the one parent refused is a 党支部.
    [
        (Kind.GENERAL_BRANCH, "branch_a"),
        (Kind.BRANCH, "branch_a"),
        (Kind.SUB, "branch_a"),
    ],
)
def test_it_refuses_a_node_under_the_wrong_kind_of_parent(cast, kind, parent):
    node = Organization(name="新组织", kind=kind, parent=getattr(cast, parent), code="NEW")
    with pytest.raises(ValidationError, match="不能设在"):
        node.full_clean()


@pytest.mark.django_db
def test_it_accepts_the_allowed_shapes(cast):
    for kind, parent in [
        (Kind.SUB, cast.district),
        (Kind.SUB, cast.sub_a),
        (Kind.GENERAL_BRANCH, cast.sub_b),
        (Kind.BRANCH, cast.general_branch_b),
        (Kind.BRANCH, cast.sub_b),
        (Kind.BRANCH, cast.district),
        (Kind.GENERAL_BRANCH, cast.district),
        (Kind.GENERAL_BRANCH, cast.general_branch_a),
    ]:
        Organization(name="新组织", kind=kind, parent=parent, code=f"OK-{kind}").full_clean()
