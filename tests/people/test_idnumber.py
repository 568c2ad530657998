"""GB 11643-1999 citizen ID numbers: checksum, birth date, sex, masking, demo numbers."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fazhan.people import idnumber
from fazhan.people.idnumber import IdNumberError

# The worked examples of GB 11643-1999 itself.
FEMALE_X = "11010519491231002X"
MALE_1880 = "440524188001010014"


def test_it_accepts_the_standard_examples():
    woman = idnumber.parse(FEMALE_X)
    assert woman.birth_date == date(1949, 12, 31)
    assert woman.sex == "F"
    assert woman.area == "110105"
    man = idnumber.parse(MALE_1880)
    assert man.birth_date == date(1880, 1, 1)
    assert man.sex == "M"


def test_it_accepts_x_as_check_char_in_either_case_and_full_width():
    assert idnumber.parse("11010519491231002x").value == FEMALE_X
    assert idnumber.parse(" 110105 19491231 002X ").value == FEMALE_X
    assert idnumber.parse("１１０１０５１９４９１２３１００２Ｘ").value == FEMALE_X


def test_it_refuses_a_wrong_check_digit():
    with pytest.raises(IdNumberError, match="校验位"):
        idnumber.parse("110105194912310021")
    with pytest.raises(IdNumberError, match="校验位"):
        idnumber.parse("440524188001010015")


def test_it_refuses_x_where_a_digit_is_due():
    with pytest.raises(IdNumberError, match="校验位"):
        idnumber.parse("44052418800101001X")


def test_it_refuses_an_impossible_birth_date():
    body = "11010519490230002"  # 30 February
    number = body + idnumber.check_char(body)
    with pytest.raises(IdNumberError, match="19490230不是有效日期"):
        idnumber.parse(number)


def test_it_refuses_a_birth_date_in_the_future_when_told_today():
    number = idnumber.make_demo_id(date(2030, 1, 1), "M", 1)
    assert idnumber.parse(number).birth_date == date(2030, 1, 1)
    with pytest.raises(IdNumberError, match="不可能"):
        idnumber.parse(number, today=date(2026, 1, 1))


@pytest.mark.parametrize("raw", [FEMALE_X[:17], FEMALE_X + "1", "1101051949123100", ""])
def test_it_refuses_a_wrong_length(raw):
    with pytest.raises(IdNumberError, match=r"18位|请填写"):
        idnumber.parse(raw)


def test_it_says_how_many_characters_it_got():
    with pytest.raises(IdNumberError, match="现为17位"):
        idnumber.parse(FEMALE_X[:17])
    with pytest.raises(IdNumberError, match="现为19位"):
        idnumber.parse(FEMALE_X + "0")


def test_it_refuses_letters_in_the_body():
    with pytest.raises(IdNumberError, match="数字"):
        idnumber.parse("11010519491231A02X")


def test_it_lists_mismatches_with_what_was_entered():
    assert idnumber.check_against(FEMALE_X, date(1949, 12, 31), "F") == []
    problems = idnumber.check_against(FEMALE_X, date(1950, 1, 1), "M")
    assert len(problems) == 2
    assert "出生日期" in problems[0]
    assert "1950-01-01" in problems[0]
    assert "1949-12-31" in problems[0]
    assert "性别" in problems[1]
    assert "填写为男" in problems[1]


def test_it_skips_what_was_not_entered():
    assert idnumber.check_against(FEMALE_X, None, None) == []
    assert len(idnumber.check_against(FEMALE_X, None, "M")) == 1


def test_it_reports_an_invalid_number_as_the_mismatch():
    assert idnumber.check_against("110105194912310021", date(1949, 12, 31), "F") == [
        "身份证号码校验位不符（GB 11643-1999），请核对号码。"
    ]


def test_it_masks_all_but_the_area_code():
    # docs/privacy.md: with the birth date in the candidate file, any of the last four shown
    # would narrow the number to fewer than 100.
    assert idnumber.mask(FEMALE_X) == "110105************"
    assert idnumber.mask("11010519491231002x") == "110105************"
    assert idnumber.mask("123") == "***"


def test_it_makes_demo_numbers_in_area_999999():
    number = idnumber.make_demo_id(date(1995, 8, 15), "M", 0)
    assert number.startswith("99999919950815")
    assert idnumber.is_demo_id(number)
    assert idnumber.parse(number).is_demo
    assert not idnumber.is_demo_id(FEMALE_X)


@pytest.mark.parametrize(
    ("sex", "serial"), [("X", 1), ("M", -1), ("F", 500)], ids=["sex", "negative", "too-big"]
)
def test_it_refuses_demo_arguments_out_of_range(sex, serial):
    with pytest.raises(ValueError):
        idnumber.make_demo_id(date(1995, 8, 15), sex, serial)


@given(
    birth_date=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    sex=st.sampled_from(["F", "M"]),
    serial=st.integers(min_value=0, max_value=499),
)
def test_it_makes_demo_ids_that_always_validate_and_round_trip(birth_date, sex, serial):
    number = idnumber.make_demo_id(birth_date, sex, serial)
    parsed = idnumber.parse(number)
    assert parsed.birth_date == birth_date
    assert parsed.sex == sex
    assert parsed.is_demo
    assert idnumber.check_against(number, birth_date, sex) == []
    assert idnumber.mask(number) == "999999" + "*" * 12


@given(
    birth_date=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    sex=st.sampled_from(["F", "M"]),
    serial=st.integers(min_value=0, max_value=499),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_it_catches_every_single_digit_typo(birth_date, sex, serial, position, delta):
    # ISO 7064 MOD 11-2 detects any single substituted digit: the weights are all nonzero mod 11.
    number = idnumber.make_demo_id(birth_date, sex, serial)
    typo = str((int(number[position]) + delta) % 10)
    mistyped = number[:position] + typo + number[position + 1 :]
    assert not idnumber.is_valid(mistyped)
