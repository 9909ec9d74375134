"""What the section pages show beside the form: fields by name, stored data, computed values."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import url_for

from portal.applications import sections
from portal.applications.models import Application
from portal.formutil import choice_label
from portal.textutil import format_date_cn
from portal.timeutil import years_between
from portal.workdays.services import publicity_period_for


def find_field(form, name: str):
    """A field of a form by its full name (rows-0-start), or None."""
    return next((f for f in sections.leaf_fields(form) if f.name == name), None)


def readable(app: Application, key: str, data: dict) -> list[tuple[str, str]]:
    """A section's stored data as (label, value) pairs, to show what somebody else saved."""
    form = sections.build_form(key, app, data=data, units=[app.unit])
    out: list[tuple[str, str]] = []
    for field in form:
        if field.type in ("HiddenField", "CSRFTokenField"):
            continue
        if field.type == "FieldList":
            for i, entry in enumerate(field):
                parts = [
                    f"{sub.label.text}：{_show(sub)}"
                    for sub in entry.form
                    if sub.type != "HiddenField" or sub.name.endswith("-name")
                ]
                out.append((sections.BY_KEY[key].row_title(i), "；".join(parts)))
        else:
            out.append((field.label.text, _show(field)))
    return out


def _show(field) -> str:
    """One field's value as a clerk reads it (labels of choices, dates the Chinese way)."""
    if field.type == "BooleanField":
        return "是" if field.data else "否"
    if field.type == "SelectField":
        return choice_label(field, field.data)
    if hasattr(field.data, "isoformat"):
        return format_date_cn(field.data)
    return "" if field.data is None else str(field.data)


def section_extras(app: Application, key: str, form) -> dict[str, Any]:
    """Computed values shown beside a section (years in profession, publicity end date)."""
    d = app.campaign.definition
    if key == "qualification":
        basic = app.section_data("basic")
        work_start = basic.get("work_start")
        return {
            "cutoff": d.seniority_cutoff,
            "years_in_title": years_between(form.obtained_on.data, d.seniority_cutoff),
            "years_working": years_between(work_start, d.seniority_cutoff),
        }
    if key == "publicity":
        start = form.start.data
        return {
            "period": publicity_period_for(app, start) if start else None,
            "min_days": d.rules.publicity_min_workdays,
        }
    return {}


def next_section(key: str) -> str | None:
    """The key of the section after this one (where saving leads)."""
    keys = [s.key for s in sections.SECTIONS]
    i = keys.index(key)
    return keys[i + 1] if i + 1 < len(keys) else None


#: A record id no other part of a URL spells, within the <int:> converter's range.
_MARK = 2_000_000_001


class IdUrls:
    """The URLs of one endpoint for many records: `url_for` once, then the id put in.

    A list of 50 rows with two links each spent a fifth of its time in `url_for`; the URL of
    each row differs only by the id, so it is built once with a marker and split around it.
    """

    def __init__(self, endpoint: str, id_name: str = "app_id", **values: Any) -> None:
        url = url_for(endpoint, **{id_name: _MARK}, **values)
        self.head, mark, self.tail = url.partition(str(_MARK))
        if not mark:
            raise ValueError(f"{endpoint}: the id is not part of its URL")

    def __call__(self, ident: int) -> str:
        """The URL of record ``ident``."""
        return f"{self.head}{int(ident)}{self.tail}"


class QueryUrls:
    """Links to one page with different query arguments: `url_for` once, the query added.

    The list's sort and page links (15 of them) each cost a full `url_for`; the query part is
    encoded as werkzeug encodes it, so the links are the same.
    """

    #: werkzeug's characters left unquoted in a query (werkzeug.urls._urlencode).
    SAFE = "!$'()*,/:;?@"

    def __init__(self, endpoint: str, **values: Any) -> None:
        self.base = url_for(endpoint, **values)

    def __call__(self, args: dict[str, Any]) -> str:
        """The URL with these query arguments (None values left out, as url_for does)."""
        items = [(k, v) for k, v in args.items() if v is not None]
        return f"{self.base}?{urlencode(items, safe=self.SAFE)}" if items else self.base
