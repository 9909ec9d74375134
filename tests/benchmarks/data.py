"""Benchmark data: the demo, plus one office with n applications (1k / 10k / 50k).

Every benchmark application is a copy of the demo's filled-in applicant (all 13 sections, the
same campaign) under its own name, ID number, unit and status, inserted in bulk: building 50,000
through the operations API would take longer than the benchmark itself. The unit name kept on
each application (the list's sort key) is filled in as the operations API would.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from portal import create_app
from portal.applications.idcard import make_id
from portal.applications.models import Application, ApplicationSection, Person
from portal.demo import load_demo
from portal.extensions import db
from portal.offices.models import Office, RecommendingUnit
from portal.timeutil import utcnow
from tests.factories import make_user

SURNAMES = "张王李赵刘陈杨黄马吴"
GIVEN = ["丽娟", "建军", "海燕", "买买提·艾力", "古丽娜尔", "巴图", "努尔兰", "晓梅", "德力格尔"]
STATUSES = ["draft", "in_publicity", "publicity_ended", "recommended", "reported"]
USER, PASSWORD = "bench", "bench-password"
UNITS = 20


@dataclass(frozen=True)
class Dataset:
    """A benchmark database: where it is and what it holds."""

    uri: str
    n: int
    office_id: int
    campaign_code: str
    #: applications of the bench office a client may save (drafts) and print (filled)
    draft_ids: list[int]
    printable_ids: list[int]


def build(folder: Path, n: int) -> Dataset:
    """Create (or reuse) the SQLite database with n applications in the bench office."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{n}.db"
    uri = f"sqlite:///{path}"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": uri})
    stamp = path.with_suffix(".schema")
    with app.app_context():
        schema = _schema()
        fresh = path.exists() and stamp.exists() and stamp.read_text() == schema
        if not fresh or not _complete(n):
            db.drop_all()
            db.create_all()
            _populate(n)
            stamp.write_text(schema)
        office = db.session.scalar(sa.select(Office).where(Office.code == "BENCH"))
        ids = db.session.execute(
            sa.select(Application.id, Application.status)
            .where(Application.office_id == office.id)
            .order_by(Application.id.desc())
            .limit(200)
        ).all()
        template = _template()
        dataset = Dataset(
            uri=uri,
            n=n,
            office_id=office.id,
            campaign_code=template.campaign.code,
            draft_ids=[i for i, s in ids if s == "draft"][:16],
            printable_ids=[i for i, _ in ids][:100],
        )
        db.session.remove()
        db.engine.dispose()
    return dataset


def _schema() -> str:
    """A fingerprint of the tables and columns: data made for another schema is made again."""
    tables = sorted((t.name, tuple(c.name for c in t.columns)) for t in db.metadata.sorted_tables)
    return hashlib.sha256(repr(tables).encode()).hexdigest()


def _complete(n: int) -> bool:
    """Whether the database holds a finished bench office of n applications."""
    try:
        office = db.session.scalar(sa.select(Office).where(Office.code == "BENCH"))
    except sa.exc.OperationalError:
        return False
    if office is None:
        return False
    count = db.session.scalar(sa.select(sa.func.count()).where(Application.office_id == office.id))
    return count == n


def _template() -> Application:
    """The demo's filled-in applicant whose sections every benchmark application copies."""
    return db.session.scalar(
        sa.select(Application).where(Application.status == "in_publicity").order_by(Application.id)
    )


def _populate(n: int) -> None:
    """The demo, then the bench office: 20 units, a clerk, n copies of the template."""
    load_demo()
    db.session.commit()
    template = _template()
    sections = {s.key: s.data for s in template.sections}
    office = Office(
        code="BENCH", name="基准测试局", county="若羌县", prefecture="巴音郭楞蒙古自治州"
    )
    db.session.add(office)
    db.session.flush()
    units = [
        RecommendingUnit(
            office_id=office.id,
            name=f"测试单位{i:02d}",
            nature="事业单位",
            county="若羌县",
            objection_office=f"测试单位{i:02d}办公室",
            supervision_phone="0996-1234567",
        )
        for i in range(UNITS)
    ]
    db.session.add_all(units)
    make_user(USER, PASSWORD, "clerk", office)
    db.session.commit()
    first_person = (db.session.scalar(sa.select(sa.func.max(Person.id))) or 0) + 1
    first_app = (db.session.scalar(sa.select(sa.func.max(Application.id))) or 0) + 1
    start = utcnow() - timedelta(days=30)
    for chunk in range(0, n, 5000):
        people, apps, rows = [], [], []
        for i in range(chunk, min(n, chunk + 5000)):
            birth = date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
            gender = "男" if i % 2 else "女"
            number = make_id("652824", birth, i // 420 % 500, gender)
            name = SURNAMES[i % 10] + GIVEN[i % len(GIVEN)]
            unit = units[i % UNITS]
            people.append(
                {"id": first_person + i, "office_id": office.id, "id_number": number, "name": name}
            )
            moment = start + timedelta(seconds=i * 30)
            apps.append(
                {
                    "id": first_app + i,
                    "campaign_id": template.campaign_id,
                    "office_id": office.id,
                    "unit_id": unit.id,
                    "unit_name": unit.name,
                    "person_id": first_person + i,
                    "name": name,
                    "id_number": number,
                    "series_code": template.series_code,
                    "specialty": template.specialty,
                    "level": template.level,
                    "kind": template.kind,
                    "status": STATUSES[i % len(STATUSES)],
                    "publicity_start": template.publicity_start,
                    "publicity_end": template.publicity_end,
                    "created_at": moment,
                    "updated_at": moment,
                }
            )
            for key, data in sections.items():
                if key == "basic":
                    data = {
                        **data,
                        "name": name,
                        "id_number": number,
                        "gender": gender,
                        "birth_date": birth.isoformat(),
                        "unit_id": unit.id,
                    }
                rows.append(
                    {"application_id": first_app + i, "key": key, "data": data, "complete": True}
                )
        db.session.execute(sa.insert(Person), people)
        db.session.execute(sa.insert(Application), apps)
        db.session.execute(sa.insert(ApplicationSection), rows)
        db.session.commit()
