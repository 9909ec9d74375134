"""Applications with filled sections, and roster workbooks, for the roster tests."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook, load_workbook

from portal.applications.models import Application
from portal.campaigns.models import Campaign
from portal.offices.models import Office, RecommendingUnit
from portal.rosters.builder import ALL, COLUMNS, office_roster
from tests.factories import make_application, store_sections


def full_application(
    office: Office,
    unit: RecommendingUnit,
    campaign: Campaign,
    *,
    name: str,
    seq: int,
    level: str = "intermediate",
    kind: str = "evaluation",
    birth: date = date(1986, 3, 14),
    gender: str = "男",
    ethnicity: str = "维吾尔族",
    phone: str = "13912345678",
) -> Application:
    """An application with basic, education and qualification sections filled."""
    app = make_application(
        office,
        unit,
        campaign,
        name=name,
        seq=seq,
        level=level,
        birth=birth,
        gender=gender,
        kind=kind,
    )
    data = roster_sections(app, unit, birth=birth, ethnicity=ethnicity, phone=phone)
    store_sections(app, data)
    assert all(app.section(key).complete for key in data)
    return app


def roster_sections(
    app: Application | dict,
    unit: RecommendingUnit,
    *,
    birth: date,
    ethnicity: str = "维吾尔族",
    phone: str = "13912345678",
    gender: str | None = None,
) -> dict[str, dict]:
    """The basic, education and qualification data of an application (or its column values)."""
    get = app.get if isinstance(app, dict) else lambda key: getattr(app, key)
    level = get("level")
    basic = {
        "series_code": get("series_code"),
        "specialty": get("specialty"),
        "level": level,
        "kind": get("kind"),
        "name": get("name"),
        "gender": gender or ("男" if int(get("id_number")[16]) % 2 else "女"),
        "ethnicity": ethnicity,
        "birth_date": birth.isoformat(),
        "id_number": get("id_number"),
        "political_status": "中共党员",
        "phone": phone,
        "unit_id": unit.id,
        "work_start": date(birth.year + 22, 8, 1).isoformat(),
        "unit_nature": unit.nature,
        "below_county_level": unit.below_county_level,
        "county": unit.county,
        "mandarin_level": "",
        "retired": False,
        "civil_servant": False,
        "sanction": "",
        "sanction_end": None,
    }
    education = {
        "rows": [
            {
                "start": date(birth.year + 18, 9, 1).isoformat(),
                "end": date(birth.year + 22, 7, 1).isoformat(),
                "school": "新疆大学",
                "major": "汉语言文学",
                "level": "大学本科",
                "degree": "学士",
                "full_time": "全日制",
            }
        ]
    }
    qualification = {
        "title": "助理讲师",
        "series": "党干校教师系列",
        "level": "junior",
        "obtained_on": date(2017, 9, 1).isoformat(),
        "appointed_on": None,
        "obtained_in": "新疆",
        "certificate_no": "XJ2017001",
    }
    if level == "junior":
        qualification = {
            "title": "无",
            "series": "无",
            "level": "无",
            "obtained_on": None,
            "appointed_on": None,
            "obtained_in": "新疆",
            "certificate_no": "无",
        }
    return {"basic": basic, "education": education, "qualification": qualification}


def sheet_rows(data: bytes) -> list[tuple]:
    """All rows of the first sheet of an xlsx, as values."""
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    return list(ws.iter_rows(values_only=True))


def header_labels(data: bytes) -> list[str]:
    """The column labels of an exported roster (its header row, two-line headers joined)."""
    return [(h or "").replace("\n", "") for h in sheet_rows(data)[2]]


def roster_workbook(
    rows: list[list[object]], header: list[str] | None = None, text_columns: tuple[str, ...] = ()
) -> bytes:
    """A unit's roster file: a title, a blank line, the header, then the rows as given."""
    header = header or list(COLUMNS)
    wb = Workbook()
    ws = wb.active
    ws.append(["2023年度党干校教师系列职称评审申报人员花名册"])
    ws.append([])
    ws.append(header)
    for values in rows:
        ws.append(values)
    for col, label in enumerate(header, start=1):
        if label.replace(" ", "") in text_columns:
            for r in range(4, 4 + len(rows)):
                ws.cell(row=r, column=col).number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def built_roster(campaign: Campaign, office: Office | None = None, *, status: str = ALL, **kw):
    """A campaign's roster of one office (or all), its rows read into a list for comparing."""
    roster = office_roster(campaign, office, status=status, **kw)
    roster.rows = list(roster.rows)
    return roster
