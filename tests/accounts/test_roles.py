"""Roles and what they reach: subtrees, the auditor, the system administrator (三员分立)."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fazhan.accounts.models import Role, RoleKind
from fazhan.accounts.scope import (
    can_decrypt_id_number,
    can_see_personal_data,
    is_read_only,
    is_sysadmin,
    user_org_ids,
)
from fazhan.orgs.models import Organization
from fazhan.testing.factories import RoleFactory, UserFactory

# who: (sees personal data, decrypts ID numbers, read-only)
CAPABILITIES = {
    "qu": (True, True, False),
    "dangwei": (True, True, False),
    "zhibu": (True, True, False),
    "zhibu2": (True, True, False),
    "shenji": (True, False, True),
    "admin": (False, False, False),
    "outsider": (False, False, False),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", sorted(CAPABILITIES))
def test_it_grants_each_cast_user_their_capabilities(cast, who):
    user = cast.users[who]
    assert (
        can_see_personal_data(user),
        can_decrypt_id_number(user),
        is_read_only(user),
    ) == CAPABILITIES[who]
    assert is_sysadmin(user) == (who == "admin")


@pytest.mark.django_db
def test_it_computes_org_ids_from_active_roles(cast):
    every = set(Organization.objects.values_list("pk", flat=True))
    assert user_org_ids(cast.qu) == every
    assert user_org_ids(cast.shenji) == every
    assert user_org_ids(cast.admin) == set()
    assert user_org_ids(cast.outsider) == set()
    assert user_org_ids(AnonymousUser()) == set()
    assert user_org_ids(cast.zhibu) == {cast.branch_a.pk}
    assert user_org_ids(cast.dangwei) == {
        cast.sub_a.pk,
        cast.general_branch_a.pk,
        cast.branch_a.pk,
        cast.branch_a2.pk,
    }


@pytest.mark.django_db
def test_it_unions_several_roles(cast):
    RoleFactory(user=cast.zhibu, org=cast.branch_b2, kind=RoleKind.BRANCH_SECRETARY)
    assert user_org_ids(cast.zhibu) == {cast.branch_a.pk, cast.branch_b2.pk}


@pytest.mark.django_db
def test_it_grants_nothing_for_django_flags_or_deactivated_accounts(cast):
    boss = UserFactory(is_superuser=True, is_staff=True)
    assert user_org_ids(boss) == set()
    assert not can_see_personal_data(boss)
    cast.zhibu.is_active = False
    cast.zhibu.save()
    assert user_org_ids(cast.zhibu) == set()
    assert not can_decrypt_id_number(cast.zhibu)


@pytest.mark.django_db
def test_it_keeps_history_across_a_handover(cast):
    successor = UserFactory(username="zhibu-new")
    old = cast.zhibu.roles.get()
    old.end(date(2026, 3, 1))
    RoleFactory(user=successor, org=cast.branch_a, kind=RoleKind.BRANCH_SECRETARY)
    history = Role.objects.filter(org=cast.branch_a).order_by("pk")
    assert [(r.user.username, r.active, r.ended_on) for r in history] == [
        ("zhibu", False, date(2026, 3, 1)),
        ("zhibu-new", True, None),
    ]
    assert user_org_ids(cast.zhibu) == set()
    assert user_org_ids(successor) == {cast.branch_a.pk}


@pytest.mark.django_db
def test_it_makes_the_sysadmin_blind_even_with_another_role_granted_by_mistake(cast):
    # 三员分立: refused at entry (clean), and if it slipped through, the sysadmin still sees nothing.
    extra = Role(user=cast.admin, org=cast.district, kind=RoleKind.DISTRICT_STAFF)
    with pytest.raises(ValidationError, match="三员分立"):
        extra.full_clean()
    extra.save()
    assert user_org_ids(cast.admin) == set()
    assert not can_see_personal_data(cast.admin)
    assert not can_decrypt_id_number(cast.admin)


@pytest.mark.django_db
def test_it_never_lets_an_auditor_decrypt_even_with_another_role(cast):
    Role.objects.create(user=cast.shenji, org=cast.branch_a, kind=RoleKind.BRANCH_SECRETARY)
    assert not can_decrypt_id_number(cast.shenji)
    assert is_read_only(cast.shenji)


@pytest.mark.django_db
def test_it_requires_an_org_for_scoped_roles(cast):
    with transaction.atomic(), pytest.raises(IntegrityError):
        Role.objects.create(user=cast.outsider, org=None, kind=RoleKind.BRANCH_SECRETARY)
    with pytest.raises(ValidationError):
        Role(user=cast.outsider, org=None, kind=RoleKind.SUB_STAFF).full_clean()


@pytest.mark.django_db
def test_it_refuses_an_active_role_with_an_end_date(cast):
    with transaction.atomic(), pytest.raises(IntegrityError):
        Role.objects.create(
            user=cast.outsider,
            org=cast.branch_a,
            kind=RoleKind.BRANCH_SECRETARY,
            active=True,
            ended_on=date(2026, 1, 1),
        )


@pytest.mark.django_db
def test_it_shows_the_display_name():
    assert str(UserFactory(username="u1", display_name="张三")) == "张三"
    assert str(UserFactory(username="u2", display_name="")) == "u2"


@pytest.mark.django_db
def test_it_gives_the_cast_usable_passwords_on_request():
    from fazhan.testing.cast import build_cast

    cast = build_cast(with_candidates=False, password="fazhan-demo")
    assert cast.zhibu.check_password("fazhan-demo")
    assert cast.candidates == {}
