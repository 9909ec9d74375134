"""Citizen ID numbers: check digit, region, birth date, gender, normalisation."""

from datetime import date

import pytest

from portal.applications.idcard import (
    check_digit,
    make_id,
    normalise_id,
    validate_id,
)
from portal.applications.regions import (
    PROVINCES,
    XINJIANG_COUNTIES,
    is_known_region,
    region_name,
)

TODAY = date(2024, 8, 1)
BIRTH = date(1990, 1, 2)

# The worked example of GB 11643-1999 (Beijing, 朝阳区, born 1949-12-31, female).
STANDARD_EXAMPLE = "11010519491231002X"


def with_wrong_check_digit(number: str) -> str:
    """Replace the last character of an ID number by a different valid-looking one."""
    return number[:17] + ("1" if number[17] != "1" else "2")


def test_the_standard_example_is_valid_and_decoded():
    result = validate_id(STANDARD_EXAMPLE, today=TODAY)
    assert result.ok, result.errors
    assert result.birth_date == date(1949, 12, 31)
    assert result.gender == "女"
    assert result.region_code == "110105"
    assert result.region_name == "北京市"


def test_check_digit_matches_hand_computed_values():
    # weighted sum of 65282419900102001 is 265, 265 % 11 = 1 -> "0"
    assert check_digit("65282419900102001") == "0"
    # weighted sum of 11010519491231002 is 167, 167 % 11 = 2 -> "X"
    assert check_digit("11010519491231002") == "X"


def test_hand_made_xinjiang_number_is_valid():
    result = validate_id("652824199001020010", BIRTH, "男", today=TODAY)
    assert result.ok, result.errors
    assert result.region_name == "若羌县"


def test_check_digit_refuses_anything_but_17_digits():
    with pytest.raises(ValueError, match="17 ASCII digits"):
        check_digit("1234")
    with pytest.raises(ValueError, match="17 ASCII digits"):
        check_digit("6528241990010200X")


@pytest.mark.parametrize("region", ["650102", "652801", "652824", "652825", "659001", "510104"])
@pytest.mark.parametrize("gender", ["男", "女"])
def test_made_numbers_validate_and_carry_birth_date_and_gender(region, gender):
    number = make_id(region, BIRTH, 7, gender)
    result = validate_id(number, BIRTH, gender, today=TODAY)
    assert result.ok, result.errors
    assert result.normalised == number
    assert result.birth_date == BIRTH
    assert result.gender == gender
    assert number[6:14] == "19900102"


def test_made_number_gender_digit_has_the_right_parity():
    assert int(make_id("652824", BIRTH, 0, "男")[16]) % 2 == 1
    assert int(make_id("652824", BIRTH, 0, "女")[16]) % 2 == 0


def test_make_id_refuses_bad_arguments():
    with pytest.raises(ValueError, match="region"):
        make_id("6528", BIRTH, 1, "男")
    with pytest.raises(ValueError, match="seq"):
        make_id("652824", BIRTH, 500, "男")
    with pytest.raises(ValueError, match="gender"):
        make_id("652824", BIRTH, 1, "M")


def test_wrong_check_digit_is_reported_without_revealing_the_right_one():
    number = with_wrong_check_digit(make_id("652824", BIRTH, 3, "女"))
    result = validate_id(number, today=TODAY)
    assert result.errors == ["身份证号校验位不正确，请逐位核对后重新填写"]
    assert check_digit(number[:17]) not in result.errors[0]


def test_swapped_digits_are_caught_by_the_check_digit():
    number = make_id("652824", date(1985, 6, 17), 21, "男")  # order code 043
    swapped = number[:14] + number[15] + number[14] + number[16:]
    assert swapped[14:17] == "403"
    assert validate_id(swapped, today=TODAY).errors == [
        "身份证号校验位不正确，请逐位核对后重新填写"
    ]


@pytest.mark.parametrize(
    "region",
    [
        "990101",  # no such province
        "659999",  # Xinjiang, no such county
        "652899",  # 巴州, no such county
        "650101",  # 市辖区 is not a county
        "110001",  # 00 prefecture outside Hainan
        "719999",  # Taiwan never issued these numbers
    ],
)
def test_unknown_region_code_is_reported(region):
    result = validate_id(make_id(region, BIRTH, 1, "男"), today=TODAY)
    assert result.errors == [f"身份证号前6位地区码“{region}”不存在，请核对"]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("652923", "库车县"),  # retired 2019, still on cards
        ("654101", "伊宁市"),  # 伊犁地区 before 2001
        ("652101", "吐鲁番市"),  # 吐鲁番地区 before 2015
        ("654223", "沙湾县"),
        ("652800", "巴音郭楞蒙古自治州"),
    ],
)
def test_retired_xinjiang_codes_still_validate(code, name):
    assert validate_id(make_id(code, BIRTH, 1, "女"), today=TODAY).ok
    assert region_name(code) == name


def test_region_table_covers_every_province_and_bazhou_in_full():
    assert len(PROVINCES) == 34
    bazhou = {code for code in XINJIANG_COUNTIES if code.startswith("6528")}
    assert bazhou == {f"6528{n:02d}" for n in (1, 22, 23, 24, 25, 26, 27, 28, 29)}
    assert region_name("652824") == "若羌县"
    assert region_name("652825") == "且末县"
    assert region_name("659999") == ""


def test_other_provinces_are_checked_by_province_and_prefecture_only():
    assert is_known_region("510104")
    assert is_known_region("460003")  # Hainan's 4600xx cities of the 1990s
    assert is_known_region("830000")  # Taiwan residents' residence permit
    assert not is_known_region("510000")
    assert not is_known_region("519101")
    assert not is_known_region("81010A")


def test_birth_date_inside_the_number_must_exist():
    first17 = "65282419900230001"  # 30 February
    result = validate_id(first17 + check_digit(first17), today=TODAY)
    assert result.errors == ["身份证号第7至14位“19900230”不是有效的出生日期，请核对"]
    assert result.birth_date is None


def test_birth_date_in_the_future_is_refused():
    result = validate_id(make_id("652824", date(2030, 1, 1), 1, "男"), today=TODAY)
    assert result.errors == ["身份证号中的出生日期2030年1月1日晚于今天，请核对"]


def test_birth_date_before_1900_is_refused():
    # The second example of GB 11643-1999, born 1880.
    result = validate_id("440524188001010014", today=TODAY)
    assert result.errors == ["身份证号中的出生日期1880年1月1日早于1900年，请核对"]


def test_birth_date_given_on_the_form_must_agree():
    number = make_id("652824", BIRTH, 1, "男")
    result = validate_id(number, date(1990, 1, 3), today=TODAY)
    assert result.errors == [
        "身份证号中的出生日期是1990年1月2日，与填写的出生日期1990年1月3日不一致，请核对"
    ]


def test_birth_month_only_compares_year_and_month():
    number = make_id("652824", BIRTH, 1, "男")
    assert validate_id(number, date(1990, 1, 1), month_only=True, today=TODAY).ok
    result = validate_id(number, date(1990, 2, 1), month_only=True, today=TODAY)
    assert result.errors == [
        "身份证号中的出生日期是1990年1月2日，与填写的出生日期1990年2月不一致，请核对"
    ]


def test_gender_given_on_the_form_must_agree_with_the_17th_digit():
    result = validate_id(make_id("652824", BIRTH, 1, "男"), BIRTH, "女", today=TODAY)
    assert result.errors == ["身份证号第17位表示性别为“男”，与填写的性别“女”不一致，请核对"]


def test_several_problems_are_all_reported():
    number = with_wrong_check_digit(make_id("659999", BIRTH, 1, "男"))
    result = validate_id(number, date(1991, 1, 1), "女", today=TODAY)
    assert len(result.errors) == 4


def test_full_width_digits_lower_case_x_and_spaces_are_normalised():
    typed = " １１０１０５ １９４９１２３１　００２ｘ "
    assert normalise_id(typed) == STANDARD_EXAMPLE
    result = validate_id(typed, today=TODAY)
    assert result.ok, result.errors
    assert result.normalised == STANDARD_EXAMPLE
    assert validate_id("11010519491231002x", today=TODAY).normalised == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写身份证号"),
        (None, "请填写身份证号"),
        ("65282419900102001", "身份证号应为18位，现在是17位"),
        ("652824900102001", "身份证号应为18位，现在是15位（15位的旧号码请换成18位新号码）"),
        ("6528241990010200X7", "身份证号前17位只能是数字，请核对"),
        ("65282419900102001Y", "身份证号最后一位只能是数字或 X，请核对"),
    ],
)
def test_malformed_numbers_get_one_clear_message(typed, message):
    assert validate_id(typed, today=TODAY).errors == [message]
