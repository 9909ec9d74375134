"""The sections of an application: their forms, defaults, stored data and completeness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form

from portal.applications import forms
from portal.applications.models import Application
from portal.applications.rowcheck import RowProblem, education_order_problems, work_history_problems
from portal.vocabulary import EDUCATION_RANK, KIND_LABELS, LEVEL_LABELS, UNIT_NATURES


@dataclass(frozen=True)
class Section:
    """One page of the application."""

    key: str
    label: str
    form: type[forms.SectionForm]
    rows: str | None = None  # the FieldList holding repeating rows, if any
    row_label: str = "行"
    rows_first: bool = False  # show the rows above the section's other fields


SECTIONS: tuple[Section, ...] = (
    Section("basic", "基本信息", forms.BasicForm),
    Section("education", "学历学位", forms.EducationForm, "rows", "学历"),
    Section("qualification", "现任专业技术资格", forms.QualificationForm),
    Section("work", "工作经历", forms.WorkForm, "rows", "经历"),
    Section("achievements", "业绩成果", forms.AchievementsForm, "rows", "成果", rows_first=True),
    Section("awards", "获奖情况", forms.AwardsForm, "rows", "奖项"),
    Section("papers", "论文著作", forms.PapersForm, "rows", "论文"),
    Section("assessments", "年度考核", forms.AssessmentsForm, "rows", "年度"),
    Section("continuing_education", "继续教育", forms.ContinuingEducationForm, "rows", "年度"),
    Section("political", "思想政治表现", forms.PoliticalForm),
    Section("summary", "个人工作总结", forms.SummaryForm),
    Section("publicity", "公示与推荐", forms.PublicityForm),
    Section("materials", "纸质材料", forms.MaterialsForm, "rows", "材料"),
)
BY_KEY = {s.key: s for s in SECTIONS}


def default_data(key: str, app: Application) -> dict[str, Any]:
    """What a section starts with before it is first saved (from the campaign definition)."""
    d = app.campaign.definition
    if key == "basic":
        unit = app.unit
        return {
            "series_code": app.series_code,
            "specialty": app.specialty,
            "level": app.level,
            "kind": app.kind,
            "name": app.name,
            "id_number": app.id_number,
            "unit_id": app.unit_id,
            "unit_nature": unit.nature if unit else "",
            "below_county_level": bool(unit and unit.below_county_level),
            "county": unit.county if unit else "",
            "ethnicity": "汉族",
            "political_status": "群众",
            "mandarin_level": "",
            "teaching_language": "",
        }
    if key == "assessments":
        return {"rows": [{"year": y, "result": ""} for y in d.rules.assessment.years]}
    if key == "continuing_education":
        years = ce_years(app)
        return {
            "rows": [
                {"year": y, "public_hours": None, "professional_hours": None, "certificate": ""}
                for y in years
            ]
        }
    if key == "materials":
        return {
            "rows": [
                {"name": m.name, "received": False, "checked": False, "copies": m.copies}
                for m in app.applicable_materials()
            ]
        }
    if key == "publicity":
        return {"objections": forms.NONE, "recommendation": d.templates.recommendation}
    if key in ("education", "work"):
        return {"rows": [{}]}
    return {}


def ce_years(app: Application) -> list[int]:
    """The years of continuing education the campaign asks for at this level, oldest first."""
    d = app.campaign.definition
    public, professional = d.ce_year_lists(app.level)
    return sorted(set(public) | set(professional)) or [d.year]


def to_jsonable(value: Any) -> Any:
    """Dates to ISO strings, recursively."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items() if k not in ("csrf_token",)}
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    return value


def data_from_form(form: forms.SectionForm) -> dict[str, Any]:
    """The JSON stored for a validated form (without version and CSRF token)."""
    data = to_jsonable(form.data)
    data.pop("version", None)
    return data


def build_form(
    key: str,
    app: Application,
    formdata: MultiDict | None = None,
    data: dict | None = None,
    units: list | None = None,
) -> forms.SectionForm:
    """Instantiate a section's form with the campaign's choices filled in."""
    section = BY_KEY[key]
    if formdata is None and data is None:
        data = default_data(key, app)
    form = (
        section.form(formdata=formdata, data=data)
        if formdata is not None
        else section.form(formdata=None, data=data)
    )
    set_choices(form, key, app, units)
    return form


def specialty_choices(series, current: str | None = None) -> list[tuple[str, str]]:
    """Specialties of a series; a series the notice does not divide gets one empty choice."""
    values = list(series.specialties)
    if current and current not in values:
        values.append(current)
    return [(s, s) for s in values] or [("", "（本系列不分专业）")]


def set_choices(form: forms.SectionForm, key: str, app: Application, units: list | None) -> None:
    """Fill select choices that depend on the campaign or the office."""
    d = app.campaign.definition
    if key == "basic":
        form.series_code.choices = [(s.code, s.name) for s in d.series]
        series = d.series_by_code(form.series_code.data) or d.series[0]
        form.specialty.choices = specialty_choices(series, form.specialty.data)
        form.level.choices = [(lv, LEVEL_LABELS[lv]) for lv in series.levels]
        form.kind.choices = [(k, KIND_LABELS[k]) for k in d.kinds]
        form.unit_id.choices = [(u.id, u.name) for u in (units or [app.unit])]
        form.unit_nature.choices = [(n, n) for n in UNIT_NATURES]
        form.service_ground.choices = [("", "无")] + [
            (g.code, g.label) for g in d.defense_exemption.grounds
        ]
        language = d.rules.language
        if language is None or not language.teaching_languages:
            del form.teaching_language  # only notices that rule by teaching language ask it
        else:
            form.teaching_language.choices = [("", "请选择")] + [
                (t, t) for t in language.teaching_languages
            ]
    elif key == "continuing_education":
        form.exemption_ground.choices = [("", "请选择")] + [
            (g.code, g.label) for g in d.ce_exemption_grounds
        ]


def rows_of(form: Form, section: Section):
    """The FieldList of a repeating section."""
    return form[section.rows] if section.rows else None


def form_problems(key: str, form: forms.SectionForm) -> list[RowProblem]:
    """Problems that block saving beyond field validators (education order)."""
    if key == "education":
        rows = [r.data for r in form.rows]
        return education_order_problems(to_jsonable(rows), EDUCATION_RANK)
    return []


def saved_problems(key: str, data: dict) -> list[RowProblem]:
    """Problems that do not block saving but mark the section 有问题 (work-history gaps)."""
    if key == "work":
        return work_history_problems(data.get("rows", []))
    return []


def is_complete(key: str, data: dict, definition=None) -> bool:
    """Whether a saved section has what the notice requires (``definition``: the campaign's)."""
    rows = data.get("rows") or []
    if key == "assessments" and definition is not None and not definition.rules.assessment.years:
        return True  # the notice asks for no annual assessment
    if key in ("education", "work"):
        return bool(rows)
    if key in ("awards", "papers"):
        return bool(rows) or bool(data.get("none"))
    if key == "achievements":
        return bool((data.get("summary") or "").strip())
    if key == "assessments":
        return bool(rows) and all(r.get("result") for r in rows)
    if key == "continuing_education":
        return bool(data.get("exempt")) or bool(rows)
    if key == "publicity":
        return bool(data.get("start")) and bool(data.get("recommendation"))
    if key == "materials":
        return bool(rows) and all(r.get("received") for r in rows)
    return True


def section_state(app: Application, key: str, blocking_sections: set[str] = frozenset()) -> str:
    """未填 (todo) / 已完成 (done) / 有问题 (problem) for the side navigation.

    A saved section is 有问题 when it lacks what the notice requires, or when the checks of
    the campaign's rules found a blocking problem in it (`blocking_sections`).
    """
    stored = app.section(key)
    if stored is None:
        return "todo"
    if key in blocking_sections or saved_problems(key, stored.data) or not stored.complete:
        return "problem"
    return "done"


STATE_LABELS = {"todo": "未填", "done": "已完成", "problem": "有问题"}
