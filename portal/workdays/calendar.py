"""Working-day calendar for the publicity period (推荐单位公示, at least N working days).

National statutory holidays and make-up working days come from the ``chinese_calendar``
package (State Council arrangements). Regional days such as 肉孜节 and 古尔邦节, which the
autonomous region announces each year, and any local day are passed in as overrides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import chinese_calendar

from portal.textutil import format_date_cn as format_date

MAX_SPAN_DAYS = 366
MAKE_UP_WORKDAY = "调休上班"
NATIONAL_AND_MID_AUTUMN = "国庆节、中秋节"

# chinese_calendar's Holiday values (English) mapped to the names the State Council uses.
HOLIDAY_NAMES: dict[str, str] = {
    chinese_calendar.Holiday.new_years_day.value: "元旦",
    chinese_calendar.Holiday.spring_festival.value: "春节",
    chinese_calendar.Holiday.tomb_sweeping_day.value: "清明节",
    chinese_calendar.Holiday.labour_day.value: "劳动节",
    chinese_calendar.Holiday.dragon_boat_festival.value: "端午节",
    chinese_calendar.Holiday.mid_autumn_festival.value: "中秋节",
    chinese_calendar.Holiday.national_day.value: "国庆节",
    chinese_calendar.Holiday.anti_fascist_70th_day.value: (
        "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"
    ),
}
_AUTUMN_HOLIDAYS = {
    chinese_calendar.Holiday.national_day.value,
    chinese_calendar.Holiday.mid_autumn_festival.value,
}
_WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True)
class Override:
    """A day whose status is set locally, e.g. a regional holiday or its make-up working day."""

    day: date
    is_workday: bool
    name: str


@dataclass(frozen=True)
class Period:
    """A counted period: given start, end, the counted working days and warnings for people."""

    start: date
    end: date
    workdays: list[date]
    calendar_days: int
    warnings: list[str] = field(default_factory=list)


@cache
def _package_covers(year: int) -> bool:
    """Whether chinese_calendar has holiday data for the year."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkdayCalendar:
    """Working days: local overrides, then the State Council arrangement, then weekends."""

    def __init__(self, overrides: Iterable[Override] = ()) -> None:
        """Index the overrides by day; two different overrides for one day are refused."""
        self._overrides: dict[date, Override] = {}
        for override in overrides:
            known = self._overrides.get(override.day)
            if known is not None and known != override:
                raise ValueError(
                    f"{format_date(override.day)}有两条不同的本地节假日设置"
                    f"（{known.name}、{override.name}），请只保留一条"
                )
            self._overrides[override.day] = override

    def covered(self, year: int) -> bool:
        """Whether the statutory holiday arrangement of the year is in chinese_calendar."""
        return _package_covers(year)

    def is_workday(self, d: date) -> bool:
        """Whether the day is a working day."""
        override = self._overrides.get(d)
        if override is not None:
            return override.is_workday
        if self.covered(d.year):
            return chinese_calendar.is_workday(d)
        return d.weekday() < 5

    def day_name(self, d: date) -> str | None:
        """The holiday or override name of the day, 调休上班 for a make-up day, else None."""
        override = self._overrides.get(d)
        if override is not None:
            return override.name
        if not self.covered(d.year):
            return None
        is_holiday, name = chinese_calendar.get_holiday_detail(d)
        if name is None:
            return None
        if not is_holiday:
            return MAKE_UP_WORKDAY
        if name in _AUTUMN_HOLIDAYS and _autumn_names_around(d) == _AUTUMN_HOLIDAYS:
            return NATIONAL_AND_MID_AUTUMN
        return HOLIDAY_NAMES.get(name, name)

    def publicity_period(self, start: date, count: int) -> Period:
        """The period from start holding count working days, the start day counted if working."""
        if count < 1:
            raise ValueError(f"工作日天数至少为1天，当前为{count}")
        warnings: list[str] = []
        if not self.is_workday(start):
            label = self.day_name(start) or _WEEKDAY_NAMES[start.weekday()]
            warnings.append(f"开始日期为非工作日（{label}），从下一个工作日起算")
        counted: list[date] = []
        day = start
        for _ in range(MAX_SPAN_DAYS):
            if self.is_workday(day):
                counted.append(day)
                if len(counted) == count:
                    break
            day += timedelta(days=1)
        else:
            raise ValueError(
                f"自{format_date(start)}起{MAX_SPAN_DAYS}天内不足{count}个工作日，"
                "请核对工作日天数和本地节假日设置"
            )
        end = counted[-1]
        for year in range(start.year, end.year + 1):
            if not self.covered(year):
                warnings.append(
                    f"{year}年的法定节假日安排尚未收录，"
                    "本期间按周末和本地维护的节假日计算，请人工核对"
                )
        return Period(
            start=start,
            end=end,
            workdays=counted,
            calendar_days=(end - start).days + 1,
            warnings=warnings,
        )


def _autumn_names_around(d: date) -> set[str]:
    """The National Day / Mid-autumn names in the run of statutory holidays containing d."""
    names: set[str] = set()
    for step in (timedelta(days=-1), timedelta(days=1)):
        day = d
        while _package_covers(day.year):
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            if not is_holiday or name is None:
                break
            names.add(name)
            day += step
    return names & _AUTUMN_HOLIDAYS
