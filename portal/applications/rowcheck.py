"""Checks across the rows of a repeating section: work history continuity, education order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.textutil import format_date_cn, iso_date, last_day

# Periods connect when the next starts within a month of the day the last ends: a period
# typed by month (2015.06) ends on the month's last day, so 2015.06 then 2015.07 connect and
# 2015.06 then 2015.08 leave July empty.
GAP_TOLERANCE_DAYS = 31


@dataclass(frozen=True)
class RowProblem:
    """A problem found in one row of a repeating section."""

    row: int  # index in the rows as given
    field: str
    message: str


def work_history_problems(rows: list[dict], today: date | None = None) -> list[RowProblem]:
    """Gaps, overlaps and disorder between work periods (应上下衔接, 002 五（一）4).

    Dates are said as they were typed: a month as 2015年6月, a day as 2015年6月30日. A period
    ending in a month and the next starting in the same month overlap by no more than the
    change of post, and are not refused.
    """
    problems: list[RowProblem] = []
    periods = [(i, iso_date(r.get("start")), iso_date(r.get("end"))) for i, r in enumerate(rows)]
    periods = [p for p in periods if p[1]]
    for (i, s1, e1), (j, s2, _e2) in zip(periods, periods[1:], strict=False):
        if s2 < s1:
            problems.append(
                RowProblem(
                    j,
                    "start",
                    f"工作经历请按时间先后顺序填写：这一段从{format_date_cn(s2)}开始，"
                    f"早于上一段的开始时间{format_date_cn(s1)}。",
                )
            )
            continue
        if e1 is None:
            problems.append(
                RowProblem(i, "end", "这段经历未填结束时间（至今），但后面还有经历，时间段重叠。")
            )
            continue
        if s2 < e1:
            problems.append(
                RowProblem(
                    j,
                    "start",
                    f"与上一段经历重叠：上一段至{format_date_cn(e1)}，"
                    f"这一段从{format_date_cn(s2)}开始。",
                )
            )
        elif (s2 - last_day(e1)).days > GAP_TOLERANCE_DAYS:
            problems.append(
                RowProblem(
                    j,
                    "start",
                    f"与上一段经历之间有空档：上一段至{format_date_cn(e1)}，"
                    f"这一段从{format_date_cn(s2)}开始；时间段应上下衔接。",
                )
            )
    return problems


def education_order_problems(rows: list[dict], rank: dict[str, int]) -> list[RowProblem]:
    """Education must go from lowest to highest, in time order (从低到高依次填写, 002 五（一）2)."""
    problems: list[RowProblem] = []
    for j in range(1, len(rows)):
        prev, cur = rows[j - 1], rows[j]
        r_prev, r_cur = rank.get(prev.get("level", ""), 0), rank.get(cur.get("level", ""), 0)
        if r_cur < r_prev:
            problems.append(
                RowProblem(
                    j,
                    "level",
                    f"学历应从低到高依次填写：“{cur.get('level')}”不能排在“{prev.get('level')}”之后。",
                )
            )
            continue
        e_prev, e_cur = iso_date(prev.get("end")), iso_date(cur.get("end"))
        if e_prev and e_cur and last_day(e_cur) < e_prev:
            problems.append(
                RowProblem(
                    j,
                    "end",
                    f"学历应按毕业时间先后填写：这一条{format_date_cn(e_cur)}毕业，"
                    f"早于上一条的{format_date_cn(e_prev)}。",
                )
            )
    return problems
