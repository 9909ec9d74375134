"""The sections of an application: their forms, defaults, checks of plain data, completeness."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Field, Form

from portal.applications import forms
from portal.applications.idcard import validate_id
from portal.applications.models import Application
from portal.applications.rowcheck import RowProblem, education_order_problems, work_history_problems
from portal.campaigns.schema import CampaignDefinition
from portal.vocabulary import EDUCATION_RANK, UNIT_NATURES


@dataclass(frozen=True)
class Section:
    """One page of the application."""

    key: str
    label: str
    form: type[forms.SectionForm]
    rows: str | None = None  # the FieldList holding repeating rows, if any
    row_noun: str = "行"  # what one row is, with its measure word: 段工作经历, 条学历
    rows_first: bool = False  # show the rows above the section's other fields

    def row_title(self, index: int) -> str:
        """How a clerk names row ``index`` (from 0): 第2段工作经历, 第1条学历."""
        return f"第{index + 1}{self.row_noun}"

    @property
    def add_label(self) -> str:
        """The caption of the button adding a row: 添加一段工作经历."""
        return f"添加一{self.row_noun}"


SECTIONS: tuple[Section, ...] = (
    Section("basic", "基本信息", forms.BasicForm),
    Section("education", "学历学位", forms.EducationForm, "rows", "条学历"),
    Section("qualification", "现任专业技术资格", forms.QualificationForm),
    Section("work", "工作经历", forms.WorkForm, "rows", "段工作经历"),
    Section(
        "achievements", "业绩成果", forms.AchievementsForm, "rows", "项业绩成果", rows_first=True
    ),
    Section("awards", "获奖情况", forms.AwardsForm, "rows", "个奖项"),
    Section("papers", "论文著作", forms.PapersForm, "rows", "篇论文著作"),
    Section("assessments", "年度考核", forms.AssessmentsForm, "rows", "个考核年度"),
    Section(
        "continuing_education",
        "继续教育",
        forms.ContinuingEducationForm,
        "rows",
        "个继续教育年度",
    ),
    Section("political", "思想政治表现", forms.PoliticalForm),
    Section("summary", "个人工作总结", forms.SummaryForm),
    Section("publicity", "公示与推荐", forms.PublicityForm),
    Section("materials", "纸质材料", forms.MaterialsForm, "rows", "项材料"),
)
BY_KEY = {s.key: s for s in SECTIONS}


def default_data(key: str, app: Application) -> dict[str, Any]:
    """What a section starts with before it is first saved (from the campaign definition)."""
    d = app.campaign.definition
    if key == "basic":
        unit = app.unit
        encoded = validate_id(app.id_number)  # 性别 and 出生日期 as the ID number says
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
            "gender": encoded.gender or "",
            "birth_date": encoded.birth_date,
            "ethnicity": "",  # never assumed: a forgotten ethnicity is caught at the field
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
    """The plain data of a form (ISO dates, codes), without version and CSRF token."""
    data = to_jsonable(form.data)
    data.pop("version", None)
    return data


def build_form(
    key: str,
    app: Application,
    formdata: MultiDict | None = None,
    data: dict | None = None,
    units: list | None = None,
    csrf: bool = True,
) -> forms.SectionForm:
    """Instantiate a section's form with the campaign's choices filled in."""
    section = BY_KEY[key]
    if formdata is None and data is None:
        data = default_data(key, app)
    meta = {} if csrf else {"csrf": False}
    form = section.form(formdata=formdata, data=None if formdata is not None else data, meta=meta)
    set_choices(form, key, app, units)
    return form


def set_choices(form: forms.SectionForm, key: str, app: Application, units: list | None) -> None:
    """Fill select choices that depend on the campaign or the office."""
    d = app.campaign.definition
    if key == "basic":
        forms.set_target_choices(form, d, keep_specialty=app.specialty)
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


def leaf_fields(form: Form) -> Iterator[Field]:
    """Every input of a form, row fields included (named like rows-0-start)."""
    for field in form:
        if field.type == "FieldList":
            for entry in field:
                if field_form := getattr(entry, "form", None):
                    yield from leaf_fields(field_form)
                else:
                    yield entry
        elif field.type != "FormField":
            yield field
        else:
            yield from leaf_fields(field.form)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@cache
def _layout(form_class: type[Form]) -> tuple[tuple[str, str, tuple | None], ...]:
    """A form class's inputs as (name, field type, layout of a row form or None)."""
    out = []
    for field in form_class(meta={"csrf": False}):
        if field.type == "CSRFTokenField" or field.short_name == "version":
            continue
        rows = _layout(field.unbound_field.args[0]) if field.type == "FieldList" else None
        out.append((field.short_name, field.type, rows))
    return tuple(out)


def to_formdata(form_class: type[Form], data: dict) -> MultiDict:
    """Plain data as a browser would post it to the form (rows as rows-0-start, ticks as y)."""
    out = MultiDict()
    _encode(out, _layout(form_class), data, "")
    return out


def _encode(out: MultiDict, layout: tuple, data: dict, prefix: str) -> None:
    for short_name, kind, rows in layout:
        name, value = prefix + short_name, data.get(short_name)
        if rows is not None:
            for i, row in enumerate(value if isinstance(value, list | tuple) else []):
                _encode(out, rows, row if isinstance(row, dict) else {}, f"{name}-{i}-")
        elif kind == "BooleanField":
            if value:
                out.add(name, "y")
        else:
            out.add(name, _as_text(value))


def _first_choice(field: Field) -> Any:
    """The value a select shows when nothing was chosen (its first choice)."""
    first = next(iter(field.choices or []), None)
    if first is None:
        return None
    return first.value if hasattr(first, "value") else first[0]


def blank_row(key: str, row: Any) -> bool:
    """A row with nothing typed into it (a select left at its first choice counts as blank).

    Such a row was added by mistake and is dropped on save. The materials list is the
    notice's own and is never dropped.
    """
    section = BY_KEY[key]
    if not section.rows or key == "materials" or not isinstance(row, dict):
        return False
    row_form = getattr(section.form, section.rows).args[0].args[0](meta={"csrf": False})
    for field in row_form:
        value = row.get(field.short_name)
        if field.type == "HiddenField" or value in (None, "", False):
            continue
        if field.type == "SelectField" and value == _first_choice(field):
            continue
        if isinstance(value, str) and not value.strip():
            continue
        return False
    return True


def without_blank_rows(key: str, data: dict) -> dict:
    """Section data without the rows nothing was typed into."""
    rows_name = BY_KEY[key].rows
    rows = data.get(rows_name) if rows_name else None
    if not isinstance(rows, list) or not any(blank_row(key, r) for r in rows):
        return data
    return {**data, rows_name: [r for r in rows if not blank_row(key, r)]}


def validate(key: str, form: forms.SectionForm) -> bool:
    """Run the form's validators and the section's own (education order); errors at fields."""
    valid = form.validate()
    problems = form_problems(key, form)
    for p in problems:
        form[BY_KEY[key].rows][p.row][p.field].errors.append(p.message)
    return valid and not problems


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


@dataclass(frozen=True)
class Gap:
    """What a saved section still lacks: the field (as the form names it) and what to do."""

    field: str
    message: str


@dataclass(frozen=True)
class Checked:
    """A section's data checked with its form: the plain data as stored, and what is wrong."""

    data: dict[str, Any]
    errors: dict[str, list[str]]  # every field's errors, by the form's field name
    empty: frozenset[str]  # the fields left blank
    requirements: tuple[Gap, ...]  # what the notice asks of the section beyond its fields

    @property
    def invalid(self) -> dict[str, list[str]]:
        """Errors at fields that hold a value: a wrong value, never acceptable."""
        return {k: v for k, v in self.errors.items() if k not in self.empty}

    @property
    def missing(self) -> list[Gap]:
        """Required fields left blank and the section's unmet requirements."""
        blank = [Gap(k, v[0]) for k, v in self.errors.items() if k in self.empty]
        return blank + list(self.requirements)

    @property
    def complete(self) -> bool:
        """Nothing wrong and nothing missing: what 已完成 means everywhere."""
        return not self.errors and not self.requirements


def check(key: str, app: Application, data: dict, units: list | None = None) -> Checked:
    """Check plain data of a section with the rules of its form, as if a clerk posted it."""
    section = BY_KEY[key]
    formdata = to_formdata(section.form, without_blank_rows(key, data))
    form = build_form(key, app, formdata=formdata, units=units, csrf=False)
    validate(key, form)
    fields = list(leaf_fields(form))
    errors = {f.name: list(f.errors) for f in fields if f.errors}
    empty = frozenset(f.name for f in fields if not (f.raw_data and str(f.raw_data[0]).strip()))
    clean = data_from_form(form)
    return Checked(clean, errors, empty, tuple(requirements(key, clean, app.campaign.definition)))


def _filled(rows: list) -> list[dict]:
    """Rows with at least one value."""
    return [r for r in rows if isinstance(r, dict) and any(v not in (None, "") for v in r.values())]


def requirements(key: str, data: dict, definition: CampaignDefinition) -> list[Gap]:
    """What the notice asks of a section beyond its fields (rows, 「无」, papers received).

    A notice that asks for no annual assessment years asks nothing of that section.
    """
    rows = _filled(data.get("rows") or [])
    gaps: list[Gap] = []
    if key == "assessments" and not definition.rules.assessment.years:
        return gaps
    if key == "education" and not rows:
        gaps.append(Gap("rows", "请至少填写一条学历。"))
    elif key == "work" and not rows:
        gaps.append(Gap("rows", "请至少填写一段工作经历。"))
    elif key in ("awards", "papers") and not rows and not data.get("none"):
        what = "获奖情况" if key == "awards" else "论文著作"
        gaps.append(Gap("none", f"请填写{what}；没有请勾选“无”。"))
    elif key == "assessments" and not rows:
        gaps.append(Gap("rows", "请填写各年度的考核结果。"))
    elif key == "continuing_education" and not rows and not data.get("exempt"):
        gaps.append(Gap("rows", "请填写各年度的继续教育学时，或申请免除继续教育。"))
    elif key == "publicity" and not data.get("start"):
        gaps.append(Gap("start", "请填写公示开始日期。"))
    elif key == "materials":
        if not rows:
            gaps.append(Gap("rows", "本评审通知的纸质材料清单为空。"))
        for i, row in enumerate(data.get("rows") or []):
            if isinstance(row, dict) and not row.get("received"):
                name = row.get("name") or "材料"
                gaps.append(Gap(f"rows-{i}-received", f"尚未收到“{name}”，报送前须收齐。"))
    return gaps


def missing(app: Application, key: str, units: list | None = None) -> list[Gap]:
    """What a section lacks to be complete (every gap, not only the first); [] when complete."""
    stored = app.section(key)
    if stored is None:
        return [Gap("", f"尚未填写“{BY_KEY[key].label}”。")]
    return check(key, app, stored.data, units).missing


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
