"""Reading applications within the user's scope: one by id, or a filtered, sorted page."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from portal.applications.idcard import normalise_id
from portal.applications.models import Application
from portal.campaigns.models import Campaign
from portal.extensions import db
from portal.formutil import positive_int
from portal.security import scope, scoped_get_or_404
from portal.vocabulary import STATUSES


def load_application(app_id: int, write: bool = False) -> Application:
    """One application of an office the user may read (write: may edit), else 404.

    Its campaign comes in the same statement, without the definition's JSON: the definition
    is found by its hash among those this process has parsed (loaded only when it is not).
    """
    options = (joinedload(Application.campaign).defer(Campaign.definition_json),)
    return scoped_get_or_404(Application, app_id, write=write, options=options)


SORTS = {
    "updated": Application.updated_at,
    "name": Application.name,
    "status": Application.status,
    "level": Application.level,
    "unit": Application.unit_name,
    "id": Application.id,
}


@dataclass
class ListQuery:
    """What the clerk asked the list for."""

    q: str = ""
    campaign: int | None = None
    series: str = ""
    level: str = ""
    status: str = ""
    unit: int | None = None
    sort: str = "updated"
    dir: str = "desc"
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_args(cls, args) -> ListQuery:
        """Parse request arguments, ignoring what is not understood."""

        def as_int(name: str) -> int | None:
            return positive_int(args.get(name))

        sort = args.get("sort", "updated")
        return cls(
            q=(args.get("q") or "").strip()[:50],
            campaign=as_int("campaign"),
            series=(args.get("series") or "")[:40],
            level=(args.get("level") or "")[:20],
            status=args.get("status") if args.get("status") in STATUSES else "",
            unit=as_int("unit"),
            sort=sort if sort in SORTS else "updated",
            dir="asc" if args.get("dir") == "asc" else "desc",
            page=max(as_int("page") or 1, 1),
        )

    def args(self, **changes) -> dict:
        """URL arguments for this query with some values changed (for links)."""
        values = vars(self) | changes  # a shallow copy of the fields
        values.pop("per_page", None)
        return {k: v for k, v in values.items() if v not in (None, "", 1) or k == "page"}


def filter_applications(
    stmt: sa.Select,
    *,
    campaign_id: int | None = None,
    office_id: int | None = None,
    unit_id: int | None = None,
    series: str = "",
    level: str = "",
    status: str = "",
    ids: Collection[int] = (),
) -> sa.Select:
    """Narrow a SELECT of applications by each filter given; empty values narrow nothing."""
    equal = (
        (Application.campaign_id, campaign_id),
        (Application.office_id, office_id),
        (Application.unit_id, unit_id),
        (Application.series_code, series),
        (Application.level, level),
        (Application.status, status),
    )
    for column, value in equal:
        if value:
            stmt = stmt.where(column == value)
    if ids:
        stmt = stmt.where(Application.id.in_(ids))
    return stmt


def search_condition(term: str) -> sa.ColumnElement[bool]:
    """Name, unit name (kept on each application: no join) or ID digits containing the term."""
    conds = [
        Application.name.contains(term, autoescape=True),
        Application.unit_name.contains(term, autoescape=True),
    ]
    digits = normalise_id(term)
    if digits and any(ch.isdigit() for ch in digits):
        conds.append(Application.id_number.contains(digits, autoescape=True))
    return sa.or_(*conds)


def filtered_statement(q: ListQuery) -> sa.Select:
    """The scoped SELECT of applications matching the filters (no sort, no paging).

    It reads the application table alone (the unit's name is kept on each application), so
    that counting the matches needs no join.
    """
    stmt = scope(sa.select(Application), Application)
    if q.q:
        stmt = stmt.where(search_condition(q.q))
    return filter_applications(
        stmt,
        campaign_id=q.campaign,
        unit_id=q.unit,
        series=q.series,
        level=q.level,
        status=q.status,
    )


def campaign_for_lists():
    """Load an application's campaign with what lists show, not its definition.

    The definition is kilobytes of JSON: decoding it for each row of a page cost more than
    everything else the page does.
    """
    return joinedload(Application.campaign).load_only(
        Campaign.code, Campaign.title, Campaign.year, Campaign.loaded_at
    )


#: What a row of the list shows: plain columns, not ORM objects (a page of 50 objects with
#: their unit and campaign cost more to load than the rest of the request).
LIST_COLUMNS = (
    Application.id,
    Application.name,
    Application.id_number,
    Application.unit_name,
    Application.specialty,
    Application.level,
    Application.status,
    Application.updated_at,
    Campaign.title.label("campaign_title"),
)


def page_statement(q: ListQuery) -> sa.Select:
    """The list's SELECT of LIST_COLUMNS: scoped, filtered, sorted (not paged)."""
    column = SORTS[q.sort]
    # The tie-breaker runs the same way, so that an index on (office, column, id) serves.
    order = (
        (column.asc(), Application.id.asc())
        if q.dir == "asc"
        else (column.desc(), Application.id.desc())
    )
    return (
        filtered_statement(q)
        .with_only_columns(*LIST_COLUMNS)
        .join(Campaign, Campaign.id == Application.campaign_id)
        .order_by(*order)
    )


class RowPagination(Pagination):
    """A page of plain rows, counted on the application table alone (Flask-SQLAlchemy's
    pagination, fed by our two statements)."""

    def _query_items(self) -> list[sa.Row]:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(db.session.execute(stmt))

    def _query_count(self) -> int:
        return db.session.scalar(self._query_args["counting"])


def list_applications(
    q: ListQuery, extend: Callable[[sa.Select], sa.Select] | None = None
) -> RowPagination:
    """One page of the list: rows of LIST_COLUMNS and the number of matches.

    `extend` may add columns (and outer joins) to the page's SELECT, e.g. each row's findings
    in brief: read with the page, not in a statement of their own.
    """
    counted = filtered_statement(q).with_only_columns(sa.func.count(Application.id))
    select = page_statement(q)
    return RowPagination(
        page=q.page,
        per_page=q.per_page,
        error_out=False,
        select=extend(select) if extend else select,
        counting=counted,
    )
