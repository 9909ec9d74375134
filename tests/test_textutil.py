"""Text helpers: normalisation, names, Chinese dates, loose date parsing, masking, cells."""

import copy
import pickle
import re
from datetime import date, datetime, timedelta

import pytest

from portal.textutil import (
    Month,
    clean_name,
    collapse_spaces,
    format_date_cn,
    format_month_cn,
    iso_date,
    last_day,
    mask_id,
    mask_id_publicity,
    neutralise_cell,
    normalise_text,
    parse_date_loose,
)

# --- normalisation ---------------------------------------------------------


def test_normalise_text_turns_full_width_ascii_half_width_and_collapses_spaces():
    assert normalise_text("  （０９９６）－２０３　　００２４ ") == "(0996)-203 0024"
    assert normalise_text("ＡＢｃ１２．５") == "ABc12.5"
    assert normalise_text(None) == ""


def test_collapse_spaces_handles_ideographic_space_tabs_and_newlines():
    assert collapse_spaces("\u3000巴州\t\n水利局\u3000\u3000") == "巴州 水利局"


def test_clean_name_unifies_dot_variants_and_removes_spaces_around_dots():
    assert clean_name(" 买买提 • 艾力 ") == "买买提·艾力"
    assert clean_name("买买提\u30fb艾力\uff65吐尔逊") == "买买提·艾力·吐尔逊"
    assert clean_name("John   Smith") == "John Smith"


def test_clean_name_leaves_a_full_stop_alone():
    assert clean_name("买买提.艾力") == "买买提.艾力"
    assert clean_name("买买提。艾力") == "买买提。艾力"


# --- formatting ------------------------------------------------------------


def test_dates_are_formatted_without_zero_padding():
    assert format_date_cn(date(2024, 8, 1)) == "2024年8月1日"
    assert format_date_cn(date(2023, 12, 25)) == "2023年12月25日"
    assert format_month_cn(date(1990, 1, 15)) == "1990年1月"
    assert format_date_cn(None) == ""
    assert format_month_cn(None) == ""


# --- parse_date_loose ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1990-01-02", date(1990, 1, 2)),
        ("1990/1/2", date(1990, 1, 2)),
        ("1990.01.02", date(1990, 1, 2)),
        ("1990.1.2", date(1990, 1, 2)),
        ("1990-1-2", date(1990, 1, 2)),
        ("1990.01", date(1990, 1, 1)),
        ("1990.1", date(1990, 1, 1)),
        ("1990.10", date(1990, 10, 1)),
        ("1990-01", date(1990, 1, 1)),
        ("1990年1月", date(1990, 1, 1)),
        ("1990年01月", date(1990, 1, 1)),
        ("1990年1月2日", date(1990, 1, 2)),
        ("1990年1月2号", date(1990, 1, 2)),
        ("199001", date(1990, 1, 1)),
        ("19900102", date(1990, 1, 2)),
        ("１９９０年１月２日", date(1990, 1, 2)),
        ("１９９０．０１", date(1990, 1, 1)),
        (" 1990 - 01 - 02 ", date(1990, 1, 2)),
        ("1990年 1月 2日", date(1990, 1, 2)),
        ("1990-01-02 00:00:00", date(1990, 1, 2)),
        ("2024-02-29", date(2024, 2, 29)),
    ],
)
def test_strings_in_every_usual_format_are_read(value, expected):
    assert parse_date_loose(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (32874, date(1990, 1, 1)),
        (32874.0, date(1990, 1, 1)),
        (32874.75, date(1990, 1, 1)),  # a time of day is dropped
        (45505, date(2024, 8, 1)),
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),  # after Excel's phantom 1900-02-29
        (19900102, date(1990, 1, 2)),  # digits typed into a number cell
        (199001, date(1990, 1, 1)),
        (1990.01, date(1990, 1, 1)),  # "1990.01" typed into a number cell
        (1990.12, date(1990, 12, 1)),
    ],
)
def test_spreadsheet_numbers_are_read_as_excel_serials_or_typed_dates(value, expected):
    assert parse_date_loose(value) == expected


def test_date_and_datetime_objects_pass_through_as_dates():
    assert parse_date_loose(date(1990, 1, 2)) == date(1990, 1, 2)
    result = parse_date_loose(datetime(1990, 1, 2, 15, 30))
    assert result == date(1990, 1, 2)
    assert type(result) is date


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "请填写日期，如 1990-01-02"),
        ("  ", "请填写日期，如 1990-01-02"),
        ("1990-02-30", "日期“1990-02-30”不存在：1990年2月没有30日"),
        ("2023-02-29", "日期“2023-02-29”不存在：2023年2月没有29日"),
        ("1990-13-01", "日期“1990-13-01”的月份13不对，月份应在1到12之间"),
        ("199013", "日期“199013”的月份13不对，月份应在1到12之间"),
        ("1890-01-01", "日期“1890-01-01”的年份1890不在1900—2100年之间"),
        (60, "Excel 日期序号60是不存在的1900年2月29日，请重新填写日期"),
        (
            1990.1,
            "单元格里的“1990.1”分不清是1月还是10月，请把单元格设为文本，写成 1990.01 或 1990.10",
        ),
    ],
)
def test_impossible_dates_raise_with_a_chinese_message(value, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_date_loose(value)


@pytest.mark.parametrize(
    "value",
    ["abc", "1990年", "90.1.2", "1990-01-02-03", "1990012", 0, -3, True, float("nan"), [1990]],
)
def test_unreadable_dates_raise_with_the_formats_to_use(value):
    hint = "请按 1990-01-02、1990.01.02 或 1990年1月2日 的格式填写"
    with pytest.raises(ValueError, match=f"{re.escape(hint)}$"):
        parse_date_loose(value)


# --- masking ---------------------------------------------------------------


def test_mask_id_keeps_first_six_and_last_four():
    assert mask_id("65282419900102123X") == "652824********123X"
    assert mask_id("６５２８２４１９９００１０２１２３ｘ") == "652824********123X"
    assert mask_id_publicity("65282419900102123X") == "652824********123X"


def test_mask_id_is_safe_on_short_and_empty_input():
    assert mask_id("") == ""
    assert mask_id(None) == ""
    assert mask_id("1234567890") == "**********"
    assert mask_id("652824900102123") == "652824*****2123"  # old 15-digit number


# --- spreadsheet cells -----------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+86 13999007808", "-5", "@SUM(A1)", '  =HYPERLINK("x")', "\t1", "\rX"],
)
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(value):
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["买买提·艾力", "0996-2030024", "a=b", "", 5, 1.5, None])
def test_other_cells_are_left_alone(value):
    assert neutralise_cell(value) == value


# --- months typed without a day ---------------------------------------------


@pytest.mark.parametrize("value", ["2010.07", "2010年7月", "2010-7", "201007", "2010/07", 2010.07])
def test_a_month_typed_without_a_day_stays_a_month(value):
    month = parse_date_loose(value)
    assert type(month) is Month
    assert month.isoformat() == "2010-07"  # stored as a month, not 2010-07-01
    assert format_date_cn(month) == "2010年7月"  # shown as a month
    assert iso_date(month.isoformat()) == month and type(iso_date("2010-07")) is Month


@pytest.mark.parametrize("value", ["2010.07.01", "2010年7月1日", "2010-07-01", "20100701"])
def test_a_typed_day_stays_a_day(value):
    day = parse_date_loose(value)
    assert type(day) is date and format_date_cn(day) == "2010年7月1日"
    assert type(iso_date(day.isoformat())) is date


def test_a_month_compares_as_its_first_day_and_counts_in_plain_days():
    month = Month(2010, 7)
    assert month == date(2010, 7, 1) and date(2010, 6, 30) < month < date(2010, 7, 2)
    later = month + timedelta(days=40)
    assert later == date(2010, 8, 10) and type(later) is date  # not forced back to a month
    assert month - date(2010, 6, 1) == timedelta(days=30)
    assert type(month - timedelta(days=1)) is date
    assert last_day(month) == date(2010, 7, 31) and last_day(Month(2024, 2)) == date(2024, 2, 29)
    assert last_day(date(2010, 7, 9)) == date(2010, 7, 9)
    assert pickle.loads(pickle.dumps(month)) == month and copy.deepcopy(month) == month
    assert type(copy.deepcopy(month)) is Month
