"""Every write of an application, from plain data, whoever calls it (view, import, demo, tests).

Data is what a clerk would post, as plain values: dates as ISO strings or `date`, codes for
choices (level ``intermediate``, unit by id), rows as lists of dicts. It is checked with the
rules of the section's form (the same form class, fed the data as form data), so the form and
every other writer share one set of rules, one set of keys and one meaning of "complete".
Refusals carry Chinese messages keyed by the form's field names (``rows-0-start``).
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from portal.applications import sections
from portal.applications.forms import NewApplicationForm, set_target_choices
from portal.applications.models import Application, ApplicationSection, Person
from portal.audit import record
from portal.auth.models import User
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.offices.models import RecommendingUnit
from portal.offices.services import office_units
from portal.textutil import iso_date, mask_id
from portal.timeutil import utcnow
from portal.vocabulary import CLOSED_STATUSES, SENT_STATUSES
from portal.workdays.services import publicity_period_for

# Sections that belong to one year's campaign and are not copied to the next application.
NOT_COPIED = {"assessments", "continuing_education", "publicity", "materials"}
# The fields of basic information that say who applies to what (NewApplicationForm's fields).
NEW_FIELDS = ("unit_id", "name", "id_number", "series_code", "specialty", "level", "kind")


class ApplicationError(ValueError):
    """Data refused: Chinese messages by section key, then by the form's field name."""

    def __init__(self, errors: Mapping[str, Mapping[str, list[str]]]) -> None:
        self.errors = {k: dict(v) for k, v in errors.items() if v}
        super().__init__(self.messages())

    def field_errors(self, key: str) -> dict[str, list[str]]:
        """The errors of one section, by field name."""
        return self.errors.get(key, {})

    def messages(self) -> list[str]:
        """Every message as one line: section, field and reason."""
        return [
            f"{sections.BY_KEY[key].label if key in sections.BY_KEY else key} {name}：{message}"
            for key, fields in self.errors.items()
            for name, messages in fields.items()
            for message in messages
        ]


class ApplicationLocked(ApplicationError):
    """The application is reported or closed: its sections may not change (see `locked_why`)."""

    def __init__(self, app: Application) -> None:
        self.message = locked_why(app)
        super().__init__({"": {"": [self.message]}})

    def messages(self) -> list[str]:
        """The one reason, said once."""
        return [self.message]


def locked_why(app: Application) -> str:
    """Why a locked application cannot be edited, and what to do (in Chinese)."""
    if app.status in CLOSED_STATUSES:
        return f"此申报已“{app.status_label}”，已经办结，各部分不能再修改。"
    return (
        f"此申报已“{app.status_label}”，各部分已锁定，以免与报送的材料不一致。"
        "如需修改，请等待退回（已退回），或在“审核与状态”中解锁（记入操作日志）。"
    )


def _writable(app: Application) -> None:
    """Refuse any write to a locked application."""
    if app.id is not None and app.locked:
        raise ApplicationLocked(app)


class VersionConflict(Exception):
    """Somebody saved the section after the version the writer started from."""

    def __init__(self, stored: ApplicationSection | None) -> None:
        self.stored = stored
        super().__init__("section saved by somebody else in the meantime")


def _person_with_id(office_id: int, id_number: str) -> Person | None:
    return db.session.scalar(
        sa.select(Person).where(Person.office_id == office_id, Person.id_number == id_number)
    )


def _has_applications(person: Person, besides: Application | None = None) -> bool:
    """Whether the person applies anywhere (other than `besides`)."""
    stmt = sa.select(Application.id).where(Application.person_id == person.id)
    if besides is not None and besides.id is not None:
        stmt = stmt.where(Application.id != besides.id)
    return db.session.scalar(stmt.limit(1)) is not None


def _new_application(
    campaign: Campaign, office_id: int, data: Mapping, units: list | None = None
) -> tuple[Application | None, dict[str, list[str]]]:
    """The application NEW_FIELDS describe, not yet in the session, and why it cannot be made.

    The data goes through NewApplicationForm with the campaign's and the office's choices. An
    ID number already known in the office is the same person applying again, but only under
    the name they applied with. The unsaved application (None when the form refuses the data)
    has no person, so nothing cascades it into the session: sections of a new application
    are checked against it before any write. It is related only to objects of this session
    (the campaign by its id): a caller's detached copy is never pulled in.
    """
    campaign = db.session.get_one(Campaign, campaign.id)
    form = NewApplicationForm(
        formdata=sections.to_formdata(NewApplicationForm, dict(data)),
        meta={"csrf": False},
    )
    form.campaign_id.choices = [(campaign.id, campaign.title)]
    form.campaign_id.data = campaign.id
    units = units if units is not None else office_units(office_id)
    form.unit_id.choices = [(u.id, u.name) for u in units]
    set_target_choices(form, campaign.definition)
    form.validate()
    errors = {f.name: list(f.errors) for f in form if f.errors and f.name in NEW_FIELDS}
    if errors:
        return None, errors
    person = _person_with_id(office_id, form.id_number.data)
    if person is not None and _has_applications(person):
        if person.name != form.name.data:
            errors["id_number"] = [
                f"身份证号{mask_id(person.id_number)}已登记为“{person.name}”，与所填姓名不一致。"
                f"如是同一人，请按原姓名“{person.name}”创建，再在基本信息中修改姓名；"
                "否则请核对身份证号。"
            ]
        elif db.session.scalar(
            sa.select(Application.id).where(
                Application.person_id == person.id, Application.campaign_id == campaign.id
            )
        ):
            errors["id_number"] = ["此人在该评审通知下已有申报，请在申报列表中查找。"]
    app = Application(
        campaign=campaign,
        office_id=office_id,
        unit=next(u for u in units if u.id == form.unit_id.data),
        **{k: form[k].data for k in NEW_FIELDS if k != "unit_id"},
    )
    return app, errors


def create_application(
    campaign: Campaign,
    office_id: int,
    data: Mapping,
    user: User | None,
    copy_previous: bool = False,
    units: list | None = None,
) -> Application:
    """Create an application (and the person, if new) from NEW_FIELDS; raises ApplicationError.

    With `copy_previous`, the person's previous application fills the sections it can.
    """
    app, errors = _new_application(campaign, office_id, data, units)
    if app is None or errors:
        raise ApplicationError({"basic": errors})
    _insert(app)
    if copy_previous:
        copy_from_previous(app, user)
    return app


def _insert(app: Application) -> None:
    """Add a checked new application with its person (the one with its ID number, or new)."""
    person = _person_with_id(app.office_id, app.id_number)
    if person is None:
        person = Person(office_id=app.office_id, id_number=app.id_number, name=app.name)
        db.session.add(person)
    person.name = app.name  # a person kept from a deleted application may have had a typo
    app.person = person
    db.session.add(app)
    db.session.flush()


def check_section(
    app: Application, key: str, data: Mapping, *, partial: bool = False, units: list | None = None
) -> sections.Checked:
    """Check a section's plain data for an application, as store_section would; writes nothing.

    `partial`: the data brings only some fields (an imported roster row): it is laid over what
    is stored (or the section's defaults) and only the fields it holds must be valid.
    `units`: the office's units, when the caller has them already.
    """
    if partial:
        stored = app.section(key)
        base = stored.data if stored is not None else sections.default_data(key, app)
        data = {**base, **data}
    units = units if units is not None else office_units(app.office_id)
    checked = sections.check(key, app, dict(data), units)
    if key == "basic" and "id_number" not in checked.errors and app.person_id is not None:
        problem = id_change_problem(app, checked.data.get("id_number"))
        if problem:
            checked.errors["id_number"] = [problem]
    return checked


def _refused(checked: sections.Checked, partial: bool) -> dict[str, list[str]]:
    """The errors that refuse the data: any error, or with `partial` only wrong values."""
    return checked.invalid if partial else checked.errors


def store_section(
    app: Application,
    key: str,
    data: Mapping,
    user: User | None,
    *,
    expected_version: int | str | None = None,
    partial: bool = False,
    units: list | None = None,
) -> ApplicationSection:
    """Check and store one section; mirror its searchable fields onto the application.

    Raises ApplicationError (messages by field) or VersionConflict when `expected_version` (the
    version the writer started from, "" for a section not yet saved) is no longer current.
    The section's `complete` is `Checked.complete`; what is missing is `sections.missing`.
    """
    _writable(app)
    stored = app.section(key)
    if expected_version is not None:
        current = str(stored.version) if stored is not None else ""
        if str(expected_version) != current:
            raise VersionConflict(stored)
    checked = check_section(app, key, data, partial=partial, units=units)
    refused = _refused(checked, partial)
    if refused:
        raise ApplicationError({key: refused})
    stored = _write(app, key, checked, user)
    db.session.flush()
    return stored


def _write(
    app: Application, key: str, checked: sections.Checked, user: User | None
) -> ApplicationSection:
    """Store checked data as the section, and mirror it onto the application."""
    if key == "basic" and app.person_id is not None:
        # Loaded before anything changes: loading it after would flush the section on its
        # own, and the save would run the unit of work twice.
        app.person  # noqa: B018
    stored = app.section(key)
    values = {
        "data": checked.data,
        "complete": checked.complete,
        "updated_by_id": user.id if user is not None else None,
    }
    if stored is None:
        stored = ApplicationSection(application=app, key=key, **values)
        db.session.add(stored)
    else:
        for name, value in values.items():
            setattr(stored, name, value)
    if key == "basic":
        _mirror_basic(app, checked.data)
    elif key == "publicity":
        _mirror_publicity(app, checked.data)
    app.updated_at = utcnow()
    return stored


def id_change_problem(app: Application, id_number: str | None) -> str | None:
    """Why the application cannot take this ID number: another applicant's (else None)."""
    if not id_number or id_number == app.id_number or id_number == app.person.id_number:
        return None
    other = _person_with_id(app.office_id, id_number)
    if other is None or other.id == app.person_id or not _has_applications(other):
        return None
    return (
        f"身份证号{mask_id(id_number)}已属于另一位申报人“{other.name}”，一个身份证号只能对应一人。"
        f"请核对号码；如确是同一人，请在申报列表中查找“{other.name}”的申报并在那里修改。"
    )


def _mirror_basic(app: Application, data: dict) -> None:
    """Copy name, ID number, unit and target from basic information onto the application.

    A new ID number is changed on the person when this is the person's only application; a
    person with other applications keeps their number and this application gets a person of
    its own (or the unused record of that number, kept from a deleted draft). check_section
    refuses the number of another applicant: a person is never merged into another.
    """
    for name in ("name", "series_code", "specialty", "level", "kind"):
        setattr(app, name, data[name])
    app.unit = db.session.get(RecommendingUnit, data["unit_id"])
    if data["id_number"] != app.person.id_number:
        unused = _person_with_id(app.office_id, data["id_number"])  # kept from a deleted draft
        if unused is not None:
            app.person = unused
        elif _has_applications(app.person, besides=app):
            app.person = Person(office_id=app.office_id, id_number=data["id_number"], name="")
            db.session.add(app.person)
        else:
            app.person.id_number = data["id_number"]
    app.id_number = data["id_number"]
    app.person.name = data["name"]


def _mirror_publicity(app: Application, data: dict) -> None:
    """Publicity start, end (counted in working days) and open objection onto the application."""
    start = iso_date(data.get("start"))
    app.publicity_start = start
    app.publicity_end = publicity_period_for(app, start).end if start else None
    app.objection_open = bool(data.get("objection_open"))


def _check_all(
    campaign: Campaign,
    office_id: int,
    data: Mapping[str, Mapping],
    app: Application | None,
    partial: bool,
    units: list | None,
) -> tuple[Application | None, dict[str, dict[str, list[str]]], dict[str, sections.Checked]]:
    """Check every section of `data` for `app` (or the new application it describes)."""
    units = units if units is not None else office_units(office_id)
    new_errors: dict[str, list[str]] = {}
    if app is None:
        app, new_errors = _new_application(campaign, office_id, data.get("basic", {}), units)
        if app is None:
            return None, {"basic": new_errors}, {}
    checked = {k: check_section(app, k, v, partial=partial, units=units) for k, v in data.items()}
    refused = {key: _refused(c, partial) for key, c in checked.items()}
    refused["basic"] = {**refused.get("basic", {}), **new_errors}
    return app, {key: errors for key, errors in refused.items() if errors}, checked


def check_save(
    campaign: Campaign,
    office_id: int,
    data: Mapping[str, Mapping],
    *,
    app: Application | None = None,
    partial: bool = False,
    units: list | None = None,
) -> dict[str, dict[str, list[str]]]:
    """What save_application would refuse, by section and field; writes nothing."""
    return _check_all(campaign, office_id, data, app, partial, units)[1]


def save_application(
    campaign: Campaign,
    office_id: int,
    data: Mapping[str, Mapping],
    user: User | None,
    *,
    app: Application | None = None,
    partial: bool = False,
    units: list | None = None,
) -> Application:
    """Create (no `app`) or update an application with several sections at once.

    `data` maps section keys to plain data; a new application takes its unit, name, ID number
    and target from `data["basic"]`. Everything is checked first: on ApplicationError nothing
    has been written.
    """
    new = app is None
    if app is not None:
        _writable(app)
    app, errors, checked = _check_all(campaign, office_id, data, app, partial, units)
    if errors or app is None:
        raise ApplicationError(errors)
    if new:
        _insert(app)
    for key, c in checked.items():
        _write(app, key, c, user)
    db.session.flush()
    return app


def previous_application(app: Application) -> Application | None:
    """The same person's most recent other application."""
    stmt = (
        sa.select(Application)
        .where(Application.person_id == app.person_id, Application.id != app.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
    )
    return db.session.scalars(stmt).first()


def copy_from_previous(app: Application, user: User | None) -> int | None:
    """Copy the sections not yet filled from the previous application; returns how many.

    Each is stored like any other partial write. A value this campaign's rules refuse (a
    defense-exemption ground the new notice does not list) is left out, to be filled in.
    """
    _writable(app)
    prev = previous_application(app)
    if prev is None:
        return None
    copied = 0
    for stored in prev.sections:
        if stored.key in NOT_COPIED or app.section(stored.key) is not None:
            continue
        data = dict(stored.data)
        if stored.key == "basic":
            data.update({k: getattr(app, k) for k in NEW_FIELDS})
        try:
            store_section(app, stored.key, data, user, partial=True)
        except ApplicationError as exc:
            refused = exc.field_errors(stored.key)
            try:
                store_section(app, stored.key, _without(data, refused), user, partial=True)
            except ApplicationError:
                continue
        copied += 1
    return copied


def _without(data: dict, names) -> dict:
    """Section data without the named fields (rows-0-start names a field of a row)."""
    out = {
        k: [dict(r) if isinstance(r, dict) else r for r in v] if isinstance(v, list) else v
        for k, v in data.items()
    }
    for name in names:
        rows, _, rest = name.partition("-")
        index, _, field = rest.partition("-")
        entries = out.get(rows) if isinstance(out.get(rows), list) else []
        row = entries[int(index)] if index.isdigit() and int(index) < len(entries) else None
        if field and isinstance(row, dict):
            row.pop(field, None)
        else:
            out.pop(name, None)
    return out


def delete_application(app: Application) -> None:
    """Delete an application (its sections and status history go with it; the person stays)."""
    db.session.delete(app)
    db.session.flush()


def can_unlock(app: Application) -> str | None:
    """None when the sections of this application may be unlocked, else why not."""
    if app.status in CLOSED_STATUSES:
        return locked_why(app)
    if app.status not in SENT_STATUSES:
        return "此申报未锁定，可以直接修改。"
    if app.unlocked_at is not None:
        return "此申报已解锁。"
    return None


def unlock(app: Application, user: User, reason: str) -> None:
    """Unlock a reported application's sections for a correction, with the reason, audited.

    It stays unlocked until locked again or until its next status change.
    """
    why_not = can_unlock(app)
    if why_not:
        raise ValueError(why_not)
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("请填写解锁原因，如：州职称办通知更正联系电话。")
    app.unlocked_at = utcnow()
    app.unlocked_by_id = user.id
    app.unlock_reason = reason
    record(  # details in words, as the audit page prints them
        "application_unlock",
        user,
        {"申报人": app.name, "状态": app.status_label, "原因": reason},
        office_id=app.office_id,
    )


def relock(app: Application, user: User | None) -> None:
    """Lock an unlocked application again (audited); a status change does it too."""
    if app.unlocked_at is None:
        return
    app.unlocked_at = None
    app.unlocked_by_id = None
    app.unlock_reason = ""
    record(
        "application_relock",
        user,
        {"申报人": app.name, "状态": app.status_label},
        office_id=app.office_id,
    )
