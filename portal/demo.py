"""Demo data: offices, units, accounts and realistic applications (fictitious people)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.applications.idcard import make_id
from portal.applications.models import Application, Person
from portal.applications.operations import create_application, save_application
from portal.applications.sections import ce_years
from portal.auth.models import User
from portal.campaigns.models import Campaign
from portal.campaigns.services import load_shipped_campaigns
from portal.extensions import db
from portal.offices.models import Office, RecommendingUnit
from portal.rules.workflow import transition
from portal.workdays.services import publicity_period_for

PREFECTURE = "巴音郭楞蒙古自治州"
DEMO_PASSWORD = "demo-pass-2024"

OFFICES = [
    (
        "652824-wtgl",
        "若羌县文化体育广播电视和旅游局",
        "若羌县",
        [
            ("若羌县文化馆", "事业单位", False, "馆长", "若羌县文化馆办公室", "0996-7102311"),
            ("若羌县图书馆", "事业单位", False, "馆长", "若羌县图书馆办公室", "0996-7102562"),
            (
                "若羌县瓦石峡镇综合文化站",
                "事业单位",
                True,
                "站长",
                "瓦石峡镇党政办",
                "0996-7412008",
            ),
        ],
    ),
    (
        "652827-slj",
        "和静县水利局",
        "和静县",
        [
            (
                "和静县水利工程管理站",
                "事业单位",
                False,
                "站长",
                "和静县水利局办公室",
                "0996-5012236",
            ),
            (
                "和静县巴音布鲁克镇水管所",
                "事业单位",
                True,
                "所长",
                "巴音布鲁克镇党政办",
                "0996-5088102",
            ),
            (
                "和静县安澜水利建设有限公司",
                "民营企业",
                False,
                "总经理",
                "公司综合部",
                "0996-5021880",
            ),
        ],
    ),
]

CLERKS = [("ruoqiang", "652824-wtgl", "阿依努尔"), ("hejing", "652827-slj", "王海燕")]

# name, gender, ethnicity, birth, region, office, unit index, campaign, series, specialty,
# level, kind, political status, education level, degree
PEOPLE = [
    (
        "买买提·艾力",
        "男",
        "维吾尔族",
        date(1986, 3, 14),
        "652824",
        0,
        0,
        "bz-culture-2021",
        "群众文化",
        "intermediate",
        "evaluation",
        "中共党员",
        "大学本科",
        "学士",
    ),
    (
        "阿不都热合曼·阿不都热西提",
        "男",
        "维吾尔族",
        date(1990, 11, 2),
        "652824",
        0,
        2,
        "bz-culture-2021",
        "群众文化",
        "junior",
        "evaluation",
        "群众",
        "大学专科",
        "无",
    ),
    (
        "张丽娟",
        "女",
        "汉族",
        date(1988, 6, 21),
        "652801",
        0,
        1,
        "bz-culture-2021",
        "图书资料",
        "intermediate",
        "evaluation",
        "中共党员",
        "大学本科",
        "学士",
    ),
    (
        "古丽娜尔·吐尔逊",
        "女",
        "维吾尔族",
        date(1993, 4, 8),
        "652824",
        0,
        0,
        "bz-culture-2021",
        "艺术",
        "junior",
        "first_determination",
        "共青团员",
        "大学本科",
        "学士",
    ),
    (
        "马晓梅",
        "女",
        "回族",
        date(1985, 9, 30),
        "652826",
        0,
        1,
        "bz-news-2021",
        None,
        "intermediate",
        "evaluation",
        "中共党员",
        "大学本科",
        "学士",
    ),
    (
        "努尔兰·哈力别克",
        "男",
        "哈萨克族",
        date(1991, 1, 17),
        "654021",
        0,
        0,
        "bz-news-2021",
        None,
        "junior",
        "evaluation",
        "群众",
        "大学本科",
        "学士",
    ),
    (
        "巴音德力格尔",
        "男",
        "蒙古族",
        date(1984, 12, 5),
        "652827",
        1,
        1,
        "bz-water-2021",
        None,
        "intermediate",
        "evaluation",
        "中共党员",
        "大学本科",
        "学士",
    ),
    (
        "其木格",
        "女",
        "蒙古族",
        date(1992, 7, 19),
        "652827",
        1,
        0,
        "bz-water-2021",
        None,
        "junior",
        "evaluation",
        "共青团员",
        "大学专科",
        "无",
    ),
    (
        "王建军",
        "男",
        "汉族",
        date(1987, 2, 26),
        "652801",
        1,
        2,
        "bz-water-2021",
        None,
        "intermediate",
        "evaluation",
        "群众",
        "大学本科",
        "学士",
    ),
    (
        "艾克拜尔·吾守尔",
        "男",
        "维吾尔族",
        date(1989, 10, 11),
        "652827",
        1,
        0,
        "bz-water-2021",
        None,
        "junior",
        "first_determination",
        "中共党员",
        "大学本科",
        "学士",
    ),
    (
        "阿依古丽·叶尔肯",
        "女",
        "哈萨克族",
        date(1990, 5, 3),
        "652827",
        1,
        1,
        "bz-partyschool-2023",
        None,
        "intermediate",
        "evaluation",
        "中共党员",
        "硕士研究生",
        "硕士",
    ),
    (
        "马福军",
        "男",
        "回族",
        date(1983, 8, 14),
        "652826",
        1,
        0,
        "bz-partyschool-2023",
        None,
        "intermediate",
        "conferment",
        "中共党员",
        "大学本科",
        "学士",
    ),
    (
        "李海燕",
        "女",
        "汉族",
        date(1994, 3, 27),
        "652827",
        1,
        0,
        "bz-partyschool-2023",
        None,
        "junior",
        "evaluation",
        "中共党员",
        "大学本科",
        "学士",
    ),
    (
        "刘洋",
        "男",
        "汉族",
        date(1995, 12, 1),
        "652824",
        0,
        1,
        "bz-culture-2021",
        "文物博物",
        "junior",
        "evaluation",
        "共青团员",
        "大学本科",
        "学士",
    ),
]


def load_demo() -> list[tuple[str, str, str]]:
    """Create (or refresh) the demo data; returns the accounts as (username, password, role)."""
    load_shipped_campaigns()
    db.session.flush()
    offices = [_office(code, name, county, units) for code, name, county, units in OFFICES]
    db.session.flush()
    accounts = [("admin", DEMO_PASSWORD, "系统管理员")]
    _user("admin", "admin", None, None, "系统管理员")
    _user("bazhou", "prefecture", None, PREFECTURE, "州职称办")
    accounts.append(("bazhou", DEMO_PASSWORD, f"州职称办（{PREFECTURE}，只读）"))
    for username, office_code, display in CLERKS:
        office = next(o for o in offices if o.code == office_code)
        _user(username, "clerk", office, None, display)
        accounts.append((username, DEMO_PASSWORD, f"县市经办人（{office.name}）"))
    db.session.flush()
    campaigns = {c.code: c for c in db.session.scalars(sa.select(Campaign))}
    for seq, person in enumerate(PEOPLE):
        _application(seq, person, offices, campaigns)
    db.session.commit()
    return accounts


def _office(code: str, name: str, county: str, units: list) -> Office:
    office = db.session.scalar(sa.select(Office).where(Office.code == code))
    if office is None:
        office = Office(code=code, name=name, county=county, prefecture=PREFECTURE)
        db.session.add(office)
        db.session.flush()
    for uname, nature, below, head, objection, phone in units:
        unit = db.session.scalar(
            sa.select(RecommendingUnit).where(
                RecommendingUnit.office_id == office.id, RecommendingUnit.name == uname
            )
        )
        if unit is None:
            db.session.add(
                RecommendingUnit(
                    office_id=office.id,
                    name=uname,
                    nature=nature,
                    below_county_level=below,
                    county=county,
                    head_title=head,
                    objection_office=objection,
                    supervision_phone=phone,
                )
            )
    return office


def _user(
    username: str, role: str, office: Office | None, prefecture: str | None, display: str
) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        user = User(username=username, role=role)
        db.session.add(user)
    user.role, user.display_name, user.active = role, display, True
    user.office_id = office.id if office else None
    user.prefecture = prefecture
    user.set_password(DEMO_PASSWORD)
    return user


def _application(seq: int, p: tuple, offices: list[Office], campaigns: dict) -> None:
    (
        name,
        gender,
        ethnicity,
        birth,
        region,
        office_i,
        unit_i,
        code,
        specialty,
        level,
        kind,
        political,
        edu_level,
        degree,
    ) = p
    office = offices[office_i]
    unit = sorted(office.units, key=lambda u: u.id)[unit_i]
    campaign = campaigns[code]
    d = campaign.definition
    series = d.series[0]
    specialty = specialty if specialty in series.specialties else (series.specialties or ("",))[0]
    id_number = make_id(region, birth, 100 + seq, gender)
    exists = db.session.scalar(
        sa.select(Application.id)
        .join(Person)
        .where(Person.office_id == office.id, Person.id_number == id_number)
        .where(Application.campaign_id == campaign.id)
    )
    if exists:
        return
    target = {"series_code": series.code, "specialty": specialty, "level": level, "kind": kind}
    new = {"unit_id": unit.id, "name": name, "id_number": id_number, **target}
    app = create_application(campaign, office.id, new, None)
    save_application(campaign, office.id, _sections(seq, app, p, unit), None, app=app)
    if seq in PROGRESS:
        _progress(app, PROGRESS[seq])


# Some complete demo applications are further along the workflow.
PROGRESS = {0: "in_publicity", 6: "recommended", 10: "reported", 11: "publicity_ended"}
STEPS = ("in_publicity", "publicity_ended", "recommended", "reported")


def _progress(app: Application, target: str) -> None:
    """Fill the publicity and materials sections and walk the workflow up to `target`."""
    from datetime import timedelta

    d = app.campaign.definition
    start = d.window("online").start + timedelta(days=3)
    while start.weekday() >= 5:
        start += timedelta(days=1)
    clerk = db.session.scalar(
        sa.select(User).where(User.office_id == app.office_id, User.role == "clerk")
    )
    sections = {
        "publicity": {
            "start": start.isoformat(),
            "objections": "无",
            "objection_open": False,
            "recommendation": d.templates.recommendation,
        },
        "materials": {
            "rows": [
                {"name": m.name, "received": True, "checked": True, "copies": m.copies}
                for m in app.applicable_materials()
            ]
        },
    }
    save_application(app.campaign, app.office_id, sections, None, app=app)
    end = publicity_period_for(app, start).end
    days = {"in_publicity": start, "publicity_ended": end + timedelta(days=1)}
    for step in STEPS[: STEPS.index(target) + 1]:
        transition(app, step, clerk, today=days.get(step, end + timedelta(days=2)))


def _sections(seq: int, app: Application, p: tuple, unit: RecommendingUnit) -> dict[str, dict]:
    """Plausible section data; the last few applications are left unfinished on purpose."""
    (
        name,
        gender,
        ethnicity,
        birth,
        _region,
        _o,
        _u,
        _code,
        _s,
        level,
        kind,
        political,
        edu_level,
        degree,
    ) = p
    d = app.campaign.definition
    field = app.specialty or d.series[0].name.removesuffix("系列")
    grad = date(birth.year + 22, 7, 1)
    work_start = date(grad.year, 8, 1)
    obtained = date(max(work_start.year + 3, d.year - 6), 9, 1)
    phone = f"1{3 + seq % 7}9{(seq * 7919) % 10**8:08d}"
    sections: dict[str, dict] = {
        "basic": {
            "series_code": app.series_code,
            "specialty": app.specialty,
            "level": level,
            "kind": kind,
            "name": name,
            "gender": gender,
            "ethnicity": ethnicity,
            "birth_date": birth.isoformat(),
            "id_number": app.id_number,
            "political_status": political,
            "phone": phone,
            "unit_id": unit.id,
            "work_start": work_start.isoformat(),
            "unit_nature": unit.nature,
            "below_county_level": unit.below_county_level,
            "county": unit.county,
            "mandarin_level": "二级甲等" if ethnicity == "汉族" else "二级乙等",
            "retired": False,
            "civil_servant": False,
            "sanction": "",
            "sanction_end": None,
        },
        "education": {
            "rows": [
                {
                    "start": date(
                        grad.year - (4 if edu_level != "大学专科" else 3), 9, 1
                    ).isoformat(),
                    "end": grad.isoformat(),
                    "school": ["新疆大学", "新疆师范大学", "石河子大学", "新疆农业大学"][seq % 4],
                    "major": field,
                    "level": edu_level,
                    "degree": degree,
                    "full_time": "全日制",
                }
            ]
        },
        "qualification": {
            "title": "助理馆员" if level == "intermediate" else "无",
            "series": d.series[0].name if level == "intermediate" else "无",
            "level": "junior" if level == "intermediate" else "无",
            "obtained_on": obtained.isoformat() if level == "intermediate" else None,
            "appointed_on": date(obtained.year, 12, 1).isoformat()
            if level == "intermediate"
            else None,
            "obtained_in": "新疆",
            "certificate_no": f"XJ{obtained.year}{seq:05d}" if level == "intermediate" else "无",
        },
        "work": {
            "rows": [
                {
                    "start": work_start.isoformat(),
                    "end": None,
                    "unit": unit.name,
                    "work": f"从事{field}专业技术工作",
                }
            ]
        },
        "achievements": {
            "rows": [
                {
                    "period": f"{d.year - 3}-{d.year - 1}",
                    "title": f"{unit.county}{field}工作",
                    "role": "主要承担者",
                }
            ],
            "summary": f"近五年在{unit.name}从事{field}工作，认真履行岗位职责，"
            f"参与完成{unit.county}重点工作，本人承担具体实施任务。",
        },
        "awards": {"none": True, "rows": []},
        "papers": {
            "none": False,
            "rows": [
                {
                    "title": f"浅谈基层{field}工作的实践与思考",
                    "journal": "新疆地方志",
                    "published_on": date(d.year - 1, 5, 1).isoformat(),
                    "level": "自治区级",
                    "role": "独著",
                }
            ],
        },
        "assessments": {
            "rows": [
                {"year": y, "result": "competent" if (seq + y) % 3 else "excellent"}
                for y in d.rules.assessment.years
            ]
        },
        "continuing_education": {
            "exempt": False,
            "exemption_ground": "",
            "exemption_approval": "",
            "rows": [
                {"year": y, "public_hours": 30, "professional_hours": 60, "certificate": ""}
                for y in ce_years(app)
            ],
        },
        "political": {
            "conduct": "拥护中国共产党的领导，政治立场坚定，遵纪守法，具有良好的职业道德。",
            "appraisal": "该同志政治立场坚定，工作认真负责，廉洁自律，任现职以来未受到任何处分。",
        },
        "summary": {"text": f"任现职以来，本人在{unit.name}从事{field}工作……"},
    }
    if seq % 5 == 4:  # a few applications are still being typed in
        for key in ("papers", "assessments", "continuing_education", "political", "summary"):
            sections.pop(key)
    return sections
