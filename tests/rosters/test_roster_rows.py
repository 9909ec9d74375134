"""The roster reads the sections' fields out of their JSON in SQL (json_extract, ->): the rows
must be those the decoded sections give, whatever the data holds."""

from __future__ import annotations

import csv
import io
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal.applications.idcard import make_id
from portal.applications.models import Application, ApplicationSection, Person
from portal.extensions import db as _db
from portal.rosters.builder import (
    ALL,
    BASIC_FIELDS,
    EDUCATION_FIELDS,
    QUALIFICATION_FIELDS,
    row_values,
)
from portal.rosters.writers import csv_bytes, xlsx_bytes
from portal.rules.checks import AppFacts, derived_values
from portal.vocabulary import LEVELS, STATUS_LABELS
from tests.factories import make_unit
from tests.rosters.helpers import built_roster, header_labels, sheet_rows

PARTY = "bz-partyschool-2023"
N = 300


def _sections(i: int, birth: date, number: str) -> dict[str, dict | None]:
    """Section data varied by i: fields missing, null, months, several or no education rows."""
    grounds = ["", "village_team", "", "temple", None]
    basic = {
        "gender": ["男", "女", "", None][i % 4],
        "birth_date": [birth.isoformat(), f"{birth.year}-{birth.month:02d}", "", None][i % 4],
        "ethnicity": ["维吾尔族", "汉族", "", None][i % 4],
        "political_status": ["中共党员", "群众", None][i % 3],
        "phone": ["0996-7102311", f"139{i:08d}", "", None, "139\x0012345678"][i % 5],
        "work_start": [f"{birth.year + 22}-08", f"{birth.year + 22}-08-01", None][i % 3],
        "level": [None, "junior", "intermediate", "senior"][i % 4],
        "kind": [None, "evaluation", "conferment"][i % 3],
        "service_ground": grounds[i % 5],
        "county": ["且末县", "和静县", "", None][i % 4],
        "below_county_level": [True, False, None][i % 3],
        "unit_nature": ["事业单位", "民营企业", None][i % 3],
        "mandarin_level": "二级乙等",
        "sanction": "\x00\x0b" if i % 9 == 0 else "",  # stored before input was cleaned
        "retired": False,
    }
    if i % 7 == 0:  # keys missing altogether
        for key in ("level", "county", "below_county_level", "gender"):
            basic.pop(key)
    rows = [
        {
            "school": f"学校{j}" + ("😀" if i % 8 == 0 else ""),
            "major": ["汉语言文学", "", None][(i + j) % 3],
            "level": "大学本科",
        }
        for j in range(i % 4)
    ]
    if rows and i % 5 == 0:
        rows[-1] = {"start": "2000-09-01"}  # the last row without the fields read
    education = {"rows": rows} if i % 6 else {}
    qualification = {
        "title": [" 助理讲师 ", "无", "", None][i % 4],
        "obtained_on": ["2017-09-01", "2017-09", None][i % 3],
        "certificate_no": "XJ2017001",
    }
    return {
        "basic": basic if i % 11 else None,  # a section never saved
        "education": education,
        "qualification": qualification if i % 13 else None,
    }


@pytest.fixture
def varied(world, db):
    """N applications of office A in three units, every status, inserted in bulk."""
    campaign = world.campaigns[PARTY]
    units = [
        world.unit_a,
        make_unit(world.office_a, "若羌县瓦石峡镇综合文化站", below_county_level=True),
        make_unit(world.office_a, "且末县文化馆", county="且末县", nature="民营企业"),
    ]
    series = campaign.definition.series[0]
    statuses = list(STATUS_LABELS)
    first = (db.session.scalar(sa.select(sa.func.max(Application.id))) or 0) + 1
    people, apps, sections = [], [], []
    for i in range(N):
        birth = date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        number = make_id("652824", birth, i % 500, "男" if i % 2 else "女")
        unit = units[i % len(units)]
        name = f"=申报人{i}" if i % 17 == 0 else f"申报人{i:03d}"
        people.append(
            {"id": first + i, "office_id": world.office_a.id, "id_number": number, "name": name}
        )
        apps.append(
            {
                "id": first + i,
                "campaign_id": campaign.id,
                "office_id": world.office_a.id,
                "unit_id": unit.id,
                "unit_name": unit.name,
                "person_id": first + i,
                "name": name,
                "id_number": number,
                "series_code": series.code,
                "specialty": ["", "党史党建"][i % 2],
                "level": ["junior", "intermediate", "deputy_senior", "senior"][i % 4],
                "kind": ["evaluation", "conferment"][i % 2],
                "status": statuses[i % len(statuses)],
            }
        )
        for key, data in _sections(i, birth, number).items():
            if data is not None:
                sections.append({"application_id": first + i, "key": key, "data": data})
    db.session.execute(sa.insert(Person), people)
    db.session.execute(sa.insert(Application), apps)
    db.session.execute(sa.insert(ApplicationSection), sections)
    db.session.commit()
    return campaign


def _expected(campaign, office) -> dict[str, dict]:
    """Each application's row values from its sections decoded whole, by ID number."""
    d = campaign.definition
    statuses = d.status_labels()
    expected = {}
    for app in db_apps(office):
        rows = app.section_data("education").get("rows") or []
        record = SimpleNamespace(
            name=app.name,
            id_number=app.id_number,
            series_code=app.series_code,
            specialty=app.specialty,
            level=app.level,
            kind=app.kind,
            status=app.status,
            office_name=app.office.name,
            unit_name=app.unit.name,
            unit_nature=app.unit.nature,
            unit_below_county_level=app.unit.below_county_level,
            unit_county=app.unit.county,
        )
        values = row_values(
            record,
            app.section_data("basic"),
            rows[-1] if rows else {},
            app.section_data("qualification"),
            d,
            statuses,
        )
        expected[app.id_number] = values
    return expected


def db_apps(office) -> list[Application]:
    return list(
        _db.session.scalars(sa.select(Application).where(Application.office_id == office.id))
    )


def test_rows_read_in_sql_are_those_of_the_decoded_sections(world, varied):
    roster = built_roster(varied, None, status=ALL)  # with the 主管部门 column
    assert len(roster.rows) == N
    expected = _expected(varied, world.office_a)
    for n, row in enumerate(roster.rows, start=1):
        got = dict(zip(roster.columns, row, strict=True))
        want = expected[got["身份证号"]] | {"序号": n}
        assert got == {c: want[c] for c in roster.columns}
    # The data reach every branch the fields steer.
    remarks = {r[roster.columns.index("备注")] for r in roster.rows}
    assert any(r.startswith("免于答辩：参加“访惠聚”驻村") for r in remarks)
    assert any(r.startswith("免于答辩：在县级以下基层单位工作") for r in remarks)
    assert any(r.startswith("免于答辩：在且末县工作") for r in remarks)
    assert {r[roster.columns.index("毕业院校及专业")] for r in roster.rows} >= {"", "学校0"}


def test_the_files_hold_the_rows_read_in_sql(world, varied):
    roster = built_roster(varied, world.office_a, status=ALL)
    expected = _expected(varied, world.office_a)
    data = xlsx_bytes(roster)
    labels = header_labels(data)
    sheet = [dict(zip(labels, r, strict=False)) for r in sheet_rows(data)[3 : 3 + N]]
    text = list(csv.DictReader(io.StringIO(csv_bytes(roster).decode("utf-8-sig"))))
    for n, (cells, fields) in enumerate(zip(sheet, text, strict=True), start=1):
        want = expected[fields["身份证号"].lstrip("\t")]
        assert cells["序号"] == n and fields["序号"] == str(n)
        name = "'" + want["姓名"] if want["姓名"].startswith("=") else want["姓名"]
        assert cells["姓名"] == fields["姓名"] == name
        assert cells["身份证号"] == want["身份证号"]
        birth = cells["出生年月"]
        assert (birth.date() if birth else None) == want["出生年月"]
        assert cells["评审费（元）"] == want["评审费（元）"]
        assert cells["备注"] == (want["备注"] or None) and fields["备注"] == want["备注"]
        assert cells["毕业院校及专业"] == (want["毕业院校及专业"] or None)


def test_derived_values_read_no_basic_field_the_roster_leaves_out(world):
    d = world.campaigns[PARTY].definition
    read: set[str] = set()

    class Recording(dict):
        def get(self, key, default=None):
            read.add(key)
            return default

        def __getitem__(self, key):
            read.add(key)
            raise KeyError(key)

    for level in LEVELS:
        facts = AppFacts(level=level, kind="evaluation", status="draft")
        derived_values({"basic": Recording()}, facts, d)
    assert read and read <= set(BASIC_FIELDS)
    assert EDUCATION_FIELDS and QUALIFICATION_FIELDS
