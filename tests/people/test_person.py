"""Person: the encrypted ID number, its blind index and mask, erasure, derived columns."""

from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test import override_settings

from fazhan.people import idnumber
from fazhan.people.idnumber import IdNumberError
from fazhan.people.models import Person
from fazhan.testing.factories import CandidateFactory, PersonFactory

NUMBER = idnumber.make_demo_id(date(1995, 8, 15), "M", 7)


def make_person(**overrides):
    values = {"name": "张三", "sex": "M", "birth_date": date(1995, 8, 15)}
    values.update(overrides)
    return Person(**values)


@pytest.mark.django_db
def test_it_stores_the_number_encrypted_indexed_and_masked():
    person = make_person()
    assert person.set_id_number(NUMBER.lower()) == []
    person.full_clean()
    person.save()
    row = Person.objects.values().get(pk=person.pk)
    assert NUMBER not in str(row)
    assert row["id_number_masked"] == NUMBER[:6] + "*" * 12
    assert len(row["id_number_index"]) == 64
    assert Person.objects.get(pk=person.pk).decrypt_id_number() == NUMBER


@pytest.mark.django_db
def test_it_stores_the_birth_date_encrypted_and_reads_it_back_as_a_date():
    person = make_person(birth_date=date(1995, 8, 15))
    person.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT birth_date, birth_year FROM people_person WHERE id = %s", [person.pk]
        )
        stored, year = cursor.fetchone()
    assert "1995" not in stored and "0815" not in stored
    assert year == 1995  # the statistics' clear column
    assert Person.objects.get(pk=person.pk).birth_date == date(1995, 8, 15)
    assert Person.objects.values_list("birth_date", flat=True).get(pk=person.pk) == date(
        1995, 8, 15
    )


@pytest.mark.django_db
def test_it_refuses_to_compare_encrypted_birth_dates_in_the_database():
    with pytest.raises(FieldError, match="birth_year"):
        Person.objects.filter(birth_date=date(1995, 8, 15)).exists()
    assert not Person.objects.filter(birth_date__isnull=True).exists()


@pytest.mark.django_db
def test_it_finds_a_person_by_number_without_decrypting():
    person = PersonFactory(id_number=NUMBER, birth_date=date(1995, 8, 15), sex="M")
    PersonFactory()
    assert list(Person.objects.with_id_number(f" {NUMBER.lower()} ")) == [person]
    assert not Person.objects.with_id_number(idnumber.make_demo_id(date(1995, 8, 15), "M", 8))


@pytest.mark.django_db
def test_it_refuses_a_duplicate_number():
    PersonFactory(id_number=NUMBER, birth_date=date(1995, 8, 15), sex="M")
    twin = make_person(name="李四")
    twin.set_id_number(NUMBER)
    with pytest.raises(ValidationError, match="已经登记"):
        twin.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        twin.save()


@pytest.mark.django_db
def test_it_lets_many_people_have_no_number():
    PersonFactory(id_number=None)
    PersonFactory(id_number=None)
    assert Person.objects.filter(id_number_index__isnull=True).count() == 2


def test_it_refuses_an_invalid_number():
    person = make_person()
    with pytest.raises(IdNumberError, match="校验位"):
        person.set_id_number(NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1"))
    assert not person.has_id_number


@pytest.mark.django_db
def test_it_reports_and_refuses_a_mismatch_with_what_was_entered():
    person = make_person(sex="F", birth_date=date(1995, 8, 16))
    problems = person.set_id_number(NUMBER)
    assert len(problems) == 2
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "性别与身份证号码不符" in str(caught.value)


@pytest.mark.django_db
def test_it_erases_the_number_and_keeps_the_person_and_their_files():
    candidate = CandidateFactory(
        person__id_number=NUMBER, person__birth_date=date(1995, 8, 15), person__sex="M"
    )
    person = candidate.person
    person.erase_id_number()
    row = Person.objects.get(pk=person.pk)
    assert row.id_number_encrypted == ""
    assert row.id_number_index is None
    assert row.id_number_masked == ""
    assert row.id_number_erased_at is not None
    assert row.decrypt_id_number() is None
    assert not Person.objects.with_id_number(NUMBER).exists()
    assert row.candidacies.get() == candidate
    # Once shredded, the number is free: registering it again is no duplicate.
    PersonFactory(id_number=NUMBER, birth_date=date(1995, 8, 15), sex="M")


@pytest.mark.django_db
def test_it_rotates_a_stored_number_to_the_newest_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        person = PersonFactory(id_number=NUMBER, birth_date=date(1995, 8, 15), sex="M")
        index = person.id_number_index
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        person.rotate_id_number()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        fresh = Person.objects.get(pk=person.pk)
        assert fresh.decrypt_id_number() == NUMBER
        assert fresh.id_number_index == index


@pytest.mark.django_db
def test_it_fills_the_derived_columns_for_statistics():
    person = PersonFactory(
        name="单田芳",
        birth_date=date(1990, 3, 1),
        sex="M",
        education="associate",
        occupations=["technician", "farmer"],
    )
    assert (person.name_pinyin, person.name_initials) == ("shantianfang", "stf")
    assert person.birth_year == 1990
    assert person.education_rank == 4
    assert person.occ_farmer
    assert person.occ_mgmt_tech_rich
    assert not person.occ_worker
    assert not person.occ_student
    person.occupations = ["student"]
    person.education = ""
    person.save(update_fields=["occupations", "education"])
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.occ_student
    assert not fresh.occ_mgmt_tech_rich
    assert fresh.education_rank is None


@pytest.mark.django_db
def test_it_refuses_unknown_occupations():
    person = make_person(occupations=["astronaut"])
    with pytest.raises(ValidationError, match="astronaut"):
        person.full_clean()


@pytest.mark.django_db
def test_it_reveals_the_number_only_to_staff_of_the_subtree(cast):
    person = cast.candidates["cand_a"].person
    clear = person.decrypt_id_number()
    assert idnumber.is_demo_id(clear)
    for who in ("zhibu", "dangwei", "qu"):
        assert person.reveal_id_number(cast.users[who]) == clear
    with pytest.raises(Http404):
        person.reveal_id_number(cast.zhibu2)
    for who in ("shenji", "admin", "outsider"):
        with pytest.raises(PermissionDenied):
            person.reveal_id_number(cast.users[who])


def test_it_uses_the_same_enums_as_the_policy_engine():
    # contracts.md §1: the candidate file and the database must agree on every value and on the
    # education order the statistics rank by.
    from fazhan.people.models import EDUCATION_RANK, Education, Occupation
    from fazhan.policy import model as policy

    assert tuple(Education.values) == policy.EDUCATIONS
    assert EDUCATION_RANK == policy.EDUCATION_RANK
    assert set(Occupation.values) == policy.OCCUPATIONS
