"""Checks of single values shared by every form: names and phone numbers."""

import pytest

from portal.formutil import (
    LOCAL_PHONE_HINT,
    PHONE_HINT,
    check_local_phone,
    check_name,
    check_phone,
)

DOT_HINT = "少数民族姓名各部分之间请用间隔号“·”分隔，如 买买提·艾力"


# --- names -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "张伟",
        "买买提·艾力",
        "阿不都热合曼·阿不都热西提",
        "欧阳娜娜",
        "古丽米热·买买提·吐尔逊",
        "John Smith",
    ],
)
def test_valid_names_pass_unchanged(name):
    assert check_name(name) == (name, None)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  买买提·艾力 ", "买买提·艾力"),
        ("买买提 · 艾力", "买买提·艾力"),
        ("买买提•艾力", "买买提·艾力"),  # U+2022 bullet
        ("买买提・艾力", "买买提·艾力"),  # U+30FB katakana middle dot
        ("买买提･艾力", "买买提·艾力"),  # U+FF65 half-width katakana middle dot
        ("买买提‧艾力", "买买提·艾力"),  # U+2027 hyphenation point
    ],
)
def test_name_dot_variants_and_spaces_are_normalised(typed, expected):
    assert check_name(typed) == (expected, None)


def test_a_thirty_character_name_is_valid_and_thirty_one_is_not():
    thirty = "阿不都热合曼·阿不都热西提·买买提·艾力·阿不都克热木·吐尔"
    assert len(thirty) == 30
    assert check_name(thirty) == (thirty, None)
    _, error = check_name(thirty + "逊")
    assert error == "姓名最多30个字（含间隔号），现在是31个字"


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "请填写姓名"),
        (None, "请填写姓名"),
        ("张三3", "姓名中不能有数字"),
        ("张三３", "姓名中不能有数字"),
        ("张三@", "姓名中不能有“@”，只能用汉字和间隔号“·”"),
        ("张-三", "姓名中不能有“-”，只能用汉字和间隔号“·”"),
        ("买买提.艾力", f"姓名中不能有“.”；{DOT_HINT}"),
        ("买买提。艾力", f"姓名中不能有“。”；{DOT_HINT}"),
        ("买买提 艾力", f"汉字姓名中不要有空格；{DOT_HINT}"),
        ("·买买提", "间隔号“·”只能写在姓名中间，不能在开头或结尾"),
        ("买买提·", "间隔号“·”只能写在姓名中间，不能在开头或结尾"),
        ("买买提··艾力", "姓名中不能连用两个间隔号“·”"),
        ("王", "姓名至少2个字，请填写全名"),
        ("张Wei", "姓名请全部用汉字填写，外文姓名请全部用字母填写"),
    ],
)
def test_bad_names_get_a_chinese_message_saying_what_to_write(typed, error):
    assert check_name(typed)[1] == error


def test_a_full_stop_between_chinese_characters_is_not_silently_turned_into_a_dot():
    assert check_name("买买提.艾力")[0] == "买买提.艾力"


# --- phones ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("13999007808", "13999007808"),
        ("139 9900 7808", "13999007808"),
        ("139-9900-7808", "13999007808"),
        ("+86 13999007808", "13999007808"),
        ("１３９９９００７８０８", "13999007808"),
        ("0996-2030024", "0996-2030024"),
        ("09962030024", "0996-2030024"),
        ("(0996)2030024", "0996-2030024"),
        ("（０９９６）２０３００２４", "0996-2030024"),
        ("0996 2030024", "0996-2030024"),
        ("0996 - 2030024", "0996-2030024"),
        ("0996-2030024-801", "0996-2030024转801"),
        ("0996-2030024转801", "0996-2030024转801"),
        ("01062345678", "010-62345678"),
        ("021-62345678", "021-62345678"),
    ],
)
def test_mobiles_and_landlines_with_area_code_are_accepted(typed, normalised):
    assert check_phone(typed) == (normalised, None)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "请填写联系电话"),
        ("2617611", "固定电话请写上区号，如 0996-2030024"),
        ("12999007808", PHONE_HINT),  # no mobile starts with 12
        ("1399900780", PHONE_HINT),  # 10 digits
        ("139990078081", PHONE_HINT),  # 12 digits
        ("0996-0030024", PHONE_HINT),  # local numbers do not start with 0
        ("0996-203002", PHONE_HINT),  # 6-digit local number
        ("电话13999007808", PHONE_HINT),
    ],
)
def test_bad_phones_say_what_to_write(typed, error):
    assert check_phone(typed)[1] == error


def test_phone_hint_gives_an_example():
    assert PHONE_HINT == "请填写11位手机号或带区号的固定电话，如 0996-2030024"


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("2617611", "2617611"),
        ("２０１２３９７", "2012397"),
        ("26176110", "26176110"),
        ("0996-2030024", "0996-2030024"),
        ("13999007808", "13999007808"),
    ],
)
def test_office_phone_takes_a_local_number_or_a_full_one(typed, normalised):
    # 000 and 001 list office contacts as 2617611 and 2012397
    assert check_local_phone(typed) == (normalised, None)


@pytest.mark.parametrize("typed", ["261761", "123456789", "0617611", "abc"])
def test_office_phone_refuses_other_lengths(typed):
    assert check_local_phone(typed)[1] == LOCAL_PHONE_HINT
