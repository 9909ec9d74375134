"""Tests for the working-day calendar of the publicity period (推荐单位公示)."""

from datetime import date, timedelta

import pytest

from portal.workdays.calendar import Override, WorkdayCalendar, format_date

# The rule: 002 五（二）, 000 七, 001 七, 003 六: 「公示期不少于5个工作日」.
# Expected dates below are worked out by hand from the published arrangements:
# 国务院办公厅关于2023年 / 2024年 / 2025年部分节假日安排的通知, and for 古尔邦节
# 新疆维吾尔自治区人民政府办公厅关于2025年节假日放假和冬夏季作息时间安排的通知 一（七）:
# 「6月6日（周五）至10日（周二）放假，共5天」.

PUBLICITY_DAYS = 5

EID_AL_ADHA_2025 = [
    Override(date(2025, 6, 6) + timedelta(days=n), False, "古尔邦节") for n in range(5)
]


def test_a_start_on_a_working_day_counts_the_start_day() -> None:
    # 002 五（二）: 公示期不少于5个工作日.
    # 2024-08-01 Thu, 08-02 Fri, (08-03/04 weekend), 08-05 Mon, 08-06 Tue, 08-07 Wed.
    period = WorkdayCalendar().publicity_period(date(2024, 8, 1), PUBLICITY_DAYS)
    assert period.start == date(2024, 8, 1)
    assert period.end == date(2024, 8, 7)
    assert period.workdays == [
        date(2024, 8, 1),
        date(2024, 8, 2),
        date(2024, 8, 5),
        date(2024, 8, 6),
        date(2024, 8, 7),
    ]
    assert period.calendar_days == 7
    assert period.warnings == []


def test_a_period_across_the_spring_festival_counts_the_make_up_sunday() -> None:
    # 002 五（二）; 2024 arrangement: 春节 2月10日至17日放假调休,
    # 2月4日（周日）、2月18日（周日）上班.
    # Counted: 02-07 Wed, 02-08 Thu, 02-09 Fri, 02-18 Sun (make-up), 02-19 Mon.
    period = WorkdayCalendar().publicity_period(date(2024, 2, 7), PUBLICITY_DAYS)
    assert period.end == date(2024, 2, 19)
    assert date(2024, 2, 18) in period.workdays
    assert not any(date(2024, 2, 10) <= d <= date(2024, 2, 17) for d in period.workdays)
    assert period.calendar_days == 13
    assert period.warnings == []


def test_a_period_across_national_day_2024_counts_the_make_up_sunday_before_it() -> None:
    # 002 五（二）; 2024 arrangement: 国庆节 10月1日至7日放假调休,
    # 9月29日（周日）、10月12日（周六）上班.
    # Counted: 09-26 Thu, 09-27 Fri, 09-29 Sun (make-up), 09-30 Mon, 10-08 Tue.
    period = WorkdayCalendar().publicity_period(date(2024, 9, 26), PUBLICITY_DAYS)
    assert period.workdays == [
        date(2024, 9, 26),
        date(2024, 9, 27),
        date(2024, 9, 29),
        date(2024, 9, 30),
        date(2024, 10, 8),
    ]
    assert period.end == date(2024, 10, 8)
    assert period.calendar_days == 13


def test_a_period_across_national_day_2023_counts_the_make_up_weekend_after_it() -> None:
    # 002 五（二）; 2023 arrangement: 中秋节、国庆节 9月29日至10月6日放假调休,
    # 10月7日（周六）、10月8日（周日）上班.
    # Counted: 09-27 Wed, 09-28 Thu, 10-07 Sat, 10-08 Sun, 10-09 Mon.
    period = WorkdayCalendar().publicity_period(date(2023, 9, 27), PUBLICITY_DAYS)
    assert period.workdays == [
        date(2023, 9, 27),
        date(2023, 9, 28),
        date(2023, 10, 7),
        date(2023, 10, 8),
        date(2023, 10, 9),
    ]
    assert period.end == date(2023, 10, 9)


def test_a_start_on_a_holiday_counts_from_the_next_working_day_and_says_so() -> None:
    # 002 五（二）; 2024 arrangement: 10月1日至7日放假, 10月12日（周六）上班.
    # Counted: 10-08 Tue, 10-09 Wed, 10-10 Thu, 10-11 Fri, 10-12 Sat (make-up).
    period = WorkdayCalendar().publicity_period(date(2024, 10, 1), PUBLICITY_DAYS)
    assert period.start == date(2024, 10, 1)
    assert period.workdays[0] == date(2024, 10, 8)
    assert period.end == date(2024, 10, 12)
    assert period.warnings == ["开始日期为非工作日（国庆节），从下一个工作日起算"]


def test_a_start_on_a_plain_weekend_names_the_weekday_in_the_warning() -> None:
    # 2024-08-03 is a Saturday; counted: 08-05 Mon .. 08-09 Fri.
    period = WorkdayCalendar().publicity_period(date(2024, 8, 3), PUBLICITY_DAYS)
    assert period.end == date(2024, 8, 9)
    assert period.warnings == ["开始日期为非工作日（星期六），从下一个工作日起算"]


def test_the_regional_eid_al_adha_holiday_moves_the_end() -> None:
    # 002 五（二）; Xinjiang 2025 一（七）: 古尔邦节 6月6日（周五）至10日（周二）放假.
    # National only: 06-03 Tue, 06-04, 06-05, 06-06 Fri, 06-09 Mon -> 06-09.
    # With 古尔邦节: 06-03, 06-04, 06-05, 06-11 Wed, 06-12 Thu -> 06-12.
    start = date(2025, 6, 3)
    assert WorkdayCalendar().publicity_period(start, PUBLICITY_DAYS).end == date(2025, 6, 9)
    calendar = WorkdayCalendar(EID_AL_ADHA_2025)
    period = calendar.publicity_period(start, PUBLICITY_DAYS)
    assert period.end == date(2025, 6, 12)
    assert period.workdays[3] == date(2025, 6, 11)
    assert calendar.day_name(date(2025, 6, 9)) == "古尔邦节"


def test_an_override_make_up_saturday_is_counted() -> None:
    # A hypothetical local make-up working day on Saturday 2025-06-14 (not a published one).
    # Without it: 06-11 Wed, 06-12, 06-13, 06-16 Mon, 06-17 Tue -> 06-17.
    # With it:    06-11 Wed, 06-12, 06-13, 06-14 Sat, 06-16 Mon -> 06-16.
    start = date(2025, 6, 11)
    without = WorkdayCalendar(EID_AL_ADHA_2025).publicity_period(start, PUBLICITY_DAYS)
    assert without.end == date(2025, 6, 17)
    saturday = Override(date(2025, 6, 14), True, "古尔邦节调休上班")
    calendar = WorkdayCalendar([*EID_AL_ADHA_2025, saturday])
    period = calendar.publicity_period(start, PUBLICITY_DAYS)
    assert period.end == date(2025, 6, 16)
    assert date(2025, 6, 14) in period.workdays
    assert calendar.day_name(date(2025, 6, 14)) == "古尔邦节调休上班"


def test_an_override_wins_over_the_statutory_arrangement() -> None:
    # 2024-10-12 is a national make-up Saturday; a local override may make it a rest day.
    calendar = WorkdayCalendar([Override(date(2024, 10, 12), False, "本地休息日")])
    assert calendar.is_workday(date(2024, 10, 12)) is False
    assert WorkdayCalendar().is_workday(date(2024, 10, 12)) is True


def test_a_year_the_package_lacks_uses_weekends_and_overrides_and_warns() -> None:
    # 2031-01-01 is a Wednesday; no State Council data, so New Year's Day counts unless overridden.
    # Weekends only: 01-01 Wed, 01-02 Thu, 01-03 Fri, 01-06 Mon, 01-07 Tue -> 01-07.
    # With 元旦 as an override: 01-02, 01-03, 01-06, 01-07, 01-08 Wed -> 01-08.
    warning = "2031年的法定节假日安排尚未收录，本期间按周末和本地维护的节假日计算，请人工核对"
    plain = WorkdayCalendar()
    assert plain.covered(2031) is False
    period = plain.publicity_period(date(2031, 1, 1), PUBLICITY_DAYS)
    assert period.end == date(2031, 1, 7)
    assert period.warnings == [warning]

    calendar = WorkdayCalendar([Override(date(2031, 1, 1), False, "元旦")])
    period = calendar.publicity_period(date(2031, 1, 1), PUBLICITY_DAYS)
    assert period.end == date(2031, 1, 8)
    assert period.warnings == ["开始日期为非工作日（元旦），从下一个工作日起算", warning]


def test_a_period_running_into_an_uncovered_year_warns_for_that_year_only() -> None:
    # 2026 is covered (国办 2026 arrangement: 元旦 2026年1月1日至3日), 2027 is not.
    # Counted: 2026-12-29 Tue, 12-30 Wed, 12-31 Thu, 2027-01-01 Fri (no data), 2027-01-04 Mon.
    calendar = WorkdayCalendar()
    assert calendar.covered(2026) is True
    period = calendar.publicity_period(date(2026, 12, 29), PUBLICITY_DAYS)
    assert period.end == date(2027, 1, 4)
    assert period.warnings == [
        "2027年的法定节假日安排尚未收录，本期间按周末和本地维护的节假日计算，请人工核对"
    ]


@pytest.mark.parametrize("count", [0, -1])
def test_a_count_below_one_is_refused(count: int) -> None:
    with pytest.raises(ValueError, match="工作日天数至少为1天"):
        WorkdayCalendar().publicity_period(date(2024, 8, 1), count)


def test_a_calendar_without_working_days_stops_instead_of_looping() -> None:
    rest = [Override(date(2024, 1, 1) + timedelta(days=n), False, "测试") for n in range(400)]
    with pytest.raises(ValueError, match="天内不足5个工作日"):
        WorkdayCalendar(rest).publicity_period(date(2024, 1, 1), PUBLICITY_DAYS)


def test_two_different_overrides_for_one_day_are_refused() -> None:
    with pytest.raises(ValueError, match="2025年6月6日有两条不同的本地节假日设置"):
        WorkdayCalendar(
            [
                Override(date(2025, 6, 6), False, "古尔邦节"),
                Override(date(2025, 6, 6), True, "上班"),
            ]
        )


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 1, 1), "元旦"),
        (date(2024, 2, 12), "春节"),
        (date(2024, 4, 4), "清明节"),
        (date(2024, 5, 1), "劳动节"),
        (date(2024, 6, 10), "端午节"),
        (date(2024, 10, 5), "国庆节"),
        (date(2024, 9, 17), "中秋节"),
        # 2023 and 2025 joined the two into one run: 中秋节、国庆节 / 国庆节、中秋节.
        (date(2023, 9, 29), "国庆节、中秋节"),
        (date(2025, 10, 3), "国庆节、中秋节"),
        (date(2024, 2, 4), "调休上班"),
        (date(2024, 10, 12), "调休上班"),
        (date(2024, 8, 1), None),
        (date(2024, 8, 3), None),
        (date(2031, 1, 1), None),
    ],
)
def test_day_names_are_given_in_chinese(day: date, name: str | None) -> None:
    assert WorkdayCalendar().day_name(day) == name


def test_dates_are_written_without_zero_padding() -> None:
    assert format_date(date(2024, 1, 5)) == "2024年1月5日"
    assert format_date(date(2024, 12, 25)) == "2024年12月25日"
