"""Small factories for tests; applications are written through the operations API.

They take ids from the objects they are given and never attach them to the session (nor
does the operations API), so that the `world` fixture's detached objects stay readable
after each context closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.applications import operations
from portal.applications.idcard import make_id
from portal.applications.models import Application
from portal.auth.models import User
from portal.campaigns.models import Campaign
from portal.campaigns.services import load_shipped_campaigns
from portal.extensions import db
from portal.offices.models import Office, RecommendingUnit


@dataclass
class World:
    office_a: Office
    office_b: Office
    unit_a: RecommendingUnit
    unit_b: RecommendingUnit
    clerk_a: User
    clerk_b: User
    admin: User
    campaigns: dict[str, Campaign]


def make_office(
    code: str, name: str, county: str = "若羌县", prefecture: str = "巴音郭楞蒙古自治州"
) -> Office:
    office = Office(code=code, name=name, county=county, prefecture=prefecture)
    db.session.add(office)
    db.session.flush()
    return office


def make_unit(office: Office, name: str, **kw) -> RecommendingUnit:
    values = dict(
        nature="事业单位",
        below_county_level=False,
        county=office.county,
        head_title="馆长",
        objection_office="办公室",
        supervision_phone="0996-7102311",
    )
    values.update(kw)
    unit = RecommendingUnit(office_id=office.id, name=name, **values)
    db.session.add(unit)
    db.session.flush()
    return unit


def make_user(
    username: str,
    password: str,
    role: str = "clerk",
    office: Office | None = None,
    prefecture: str | None = None,
) -> User:
    user = User(
        username=username,
        role=role,
        office_id=office.id if office else None,
        prefecture=prefecture,
        display_name=username,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_application(
    office: Office,
    unit: RecommendingUnit,
    campaign: Campaign,
    name: str = "买买提·艾力",
    seq: int = 1,
    level: str = "intermediate",
    birth: date = date(1986, 3, 14),
    gender: str = "男",
    region: str = "652824",
    kind: str = "evaluation",
    sections: dict[str, dict] | None = None,
) -> Application:
    """An application made through the operations API, optionally with some sections.

    `sections` maps keys to plain data stored with partial=True: fields left out take what the
    section starts with, and the section is complete only when nothing required is missing.
    """
    series = campaign.definition.series[0]
    data = {
        "unit_id": unit.id,
        "name": name,
        "id_number": make_id(region, birth, seq, gender),
        "series_code": series.code,
        "specialty": (series.specialties or ("",))[0],
        "level": level,
        "kind": kind,
    }
    app = operations.create_application(campaign, office.id, data, None)
    if sections:
        store_sections(app, sections)
    return app


def store_sections(app: Application, sections: dict[str, dict], user: User | None = None) -> None:
    """Store sections of an application as partial plain data, through the operations API."""
    operations.save_application(app.campaign, app.office_id, sections, user, app=app, partial=True)


def make_world() -> World:
    campaigns = {c.code: c for c in load_shipped_campaigns()}
    office_a = make_office("A01", "若羌县文化体育广播电视和旅游局", "若羌县")
    office_b = make_office("B01", "和静县水利局", "和静县")
    unit_a = make_unit(office_a, "若羌县文化馆")
    unit_b = make_unit(office_b, "和静县水利工程管理站")
    clerk_a = make_user("clerk_a", "password-a", "clerk", office_a)
    clerk_b = make_user("clerk_b", "password-b", "clerk", office_b)
    admin = make_user("admin", "password-admin", "admin")
    db.session.commit()
    return World(office_a, office_b, unit_a, unit_b, clerk_a, clerk_b, admin, campaigns)
