"""The applications list: search, filters, masking, and a constant number of queries."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_login import login_user

from portal.applications.listing import ListQuery, filter_applications, page_statement
from portal.applications.models import Application
from portal.extensions import db
from portal.rosters.builder import RosterFilters, roster_statement
from tests.conftest import post_form, readable, statements_of
from tests.factories import make_application, make_unit

NAMES = ["张丽娟", "买买提·艾力", "古丽娜尔·吐尔逊", "马晓梅", "巴音德力格尔", "努尔兰·哈力别克"]
TAGS = "甲乙丙丁戊己庚辛壬癸"  # names hold no digits: the i-th name ends in i's digits as 甲乙丙


def tagged(i: int) -> str:
    """The i-th name of the fill: a name of NAMES with i spelt in TAGS."""
    return NAMES[i % len(NAMES)] + "".join(TAGS[int(d)] for d in str(i))


def _fill(app, world, n: int, start: int = 0) -> None:
    with app.app_context():
        for i in range(start, start + n):
            make_application(
                world.office_a,
                world.unit_a,
                world.campaigns["bz-culture-2021"],
                name=tagged(i),
                seq=i,
            )
        db.session.commit()


def _count_queries(app, fn) -> int:
    return len(statements_of(app, fn))


def test_the_list_query_count_does_not_grow_with_the_rows(app, client, auth, world):
    auth.login()
    _fill(app, world, 3)
    client.get("/applications/")  # the check summaries are computed and stored once
    few = _count_queries(app, lambda: client.get("/applications/"))
    _fill(app, world, 40, start=3)
    many_page = client.get("/applications/").get_data(as_text=True)  # the new ones' summaries
    assert many_page.count('name="ids"') == 43
    many = _count_queries(app, lambda: client.get("/applications/"))
    assert few == many


def test_a_list_page_reads_the_login_the_page_and_its_summaries_in_few_statements(
    app, client, auth, world
):
    auth.login()
    _fill(app, world, 3)
    client.get("/applications/")  # the check summaries are computed and stored once
    statements = statements_of(app, lambda: client.get("/applications/"))
    # The login with its user and office; the page with each row's summary; the count; the
    # units and the campaigns of the filters.
    assert len(statements) == 5, statements
    login = statements[0]
    assert "FROM login_session JOIN user" in login.replace('"', "") and "office" in login
    page = next(s for s in statements if "campaign.title AS campaign_title" in s)
    assert "LEFT OUTER JOIN check_summary" in page
    assert not any("definition_json" in s for s in statements)  # kilobytes of JSON each


def test_the_list_builds_its_row_links_without_url_for_per_row(app, client, auth, world):
    auth.login()
    _fill(app, world, 3)

    def url_for_calls() -> tuple[int, str]:
        calls = 0
        original = app.url_for

        def counting(*args, **kwargs):
            nonlocal calls
            calls += 1
            return original(*args, **kwargs)

        # Templates call the url_for bound into their globals, views the app's.
        app.url_for = app.jinja_env.globals["url_for"] = counting
        try:
            page = client.get("/applications/").get_data(as_text=True)
        finally:
            del app.url_for
            app.jinja_env.globals["url_for"] = original
        assert calls > 5  # the counting saw the page's links
        return calls, page

    few, _ = url_for_calls()
    _fill(app, world, 40, start=3)
    many, page = url_for_calls()
    assert few == many
    with app.app_context():
        ids = db.session.scalars(sa.select(Application.id)).all()
    for app_id in ids:  # every row still links to its basic section and its review
        assert f'href="/applications/{app_id}/basic"' in page
        assert f'href="/applications/{app_id}/review"' in page


def test_id_numbers_are_masked_in_the_list(app, client, auth, world):
    with app.app_context():
        application = make_application(
            world.office_a, world.unit_a, world.campaigns["bz-culture-2021"]
        )
        db.session.commit()
        number = application.id_number
    auth.login()
    html = client.get("/applications/").get_data(as_text=True)
    assert number not in html
    assert f"{number[:6]}********{number[-4:]}" in html


@pytest.mark.parametrize("query,expected", [("买买提", {"买买提·艾力乙"}), ("文化馆", None)])
def test_search_by_name_and_unit(app, client, auth, world, query, expected):
    _fill(app, world, 6)
    auth.login()
    html = client.get(
        f"/applications/?q={query}", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    text = html.get_data(as_text=True)
    assert "<html" not in text  # the htmx request gets only the results fragment
    found = {tagged(i) for i in range(len(NAMES)) if f">{tagged(i)}<" in text}
    assert found == (expected or {tagged(i) for i in range(len(NAMES))})


def test_search_by_id_number_and_filters(app, client, auth, world):
    with app.app_context():
        other_unit = make_unit(world.office_a, "若羌县图书馆")
        a = make_application(
            world.office_a, world.unit_a, world.campaigns["bz-culture-2021"], name="甲甲", seq=1
        )
        b = make_application(
            world.office_a,
            other_unit,
            world.campaigns["bz-news-2021"],
            name="乙乙",
            seq=2,
            level="junior",
        )
        b.status = "in_publicity"
        db.session.commit()
        readable(other_unit, a, b)
    auth.login()
    by_id = client.get(f"/applications/?q={a.id_number[-6:]}").get_data(as_text=True)
    assert ">甲甲<" in by_id and ">乙乙<" not in by_id
    for args in [
        f"unit={other_unit.id}",
        f"campaign={b.campaign_id}",
        "level=junior",
        "series=news",
        "status=in_publicity",
    ]:
        page = client.get(f"/applications/?{args}").get_data(as_text=True)
        assert ">乙乙<" in page and ">甲甲<" not in page, args


def test_the_list_never_shows_another_office(app, client, auth, world):
    with app.app_context():
        make_application(
            world.office_b, world.unit_b, world.campaigns["bz-water-2021"], name="丙丙"
        )
        db.session.commit()
    auth.login()
    assert ">丙丙<" not in client.get("/applications/?q=丙丙").get_data(as_text=True)


def test_sorting_and_paging(app, client, auth, world):
    app.config["APPLICATIONS_PER_PAGE"] = 5
    _fill(app, world, 12)
    auth.login()
    page2 = client.get("/applications/?sort=name&dir=asc&page=2").get_data(as_text=True)
    assert "第 2/3 页" in page2


def test_one_filter_builder_narrows_by_each_value_and_ignores_empty_ones(world, db):
    # The list page and the roster export narrow through the same builder.
    culture, news = world.campaigns["bz-culture-2021"], world.campaigns["bz-news-2021"]
    other_unit = make_unit(world.office_a, "若羌县图书馆")
    a = make_application(world.office_a, world.unit_a, culture, name="甲甲", seq=1)
    b = make_application(world.office_a, other_unit, news, name="乙乙", seq=2, level="junior")
    c = make_application(world.office_b, world.unit_b, news, name="丙丙", seq=3, level="junior")
    b.status = "in_publicity"
    db.session.commit()

    def names(**filters) -> set[str]:
        stmt = filter_applications(sa.select(Application), **filters)
        return {app.name for app in db.session.scalars(stmt)}

    assert names() == names(campaign_id=None, series="", level="", status="", ids=[]) == {
        "甲甲", "乙乙", "丙丙"
    }  # fmt: skip
    assert names(campaign_id=news.id) == {"乙乙", "丙丙"}
    assert names(office_id=world.office_a.id) == {"甲甲", "乙乙"}
    assert names(unit_id=other_unit.id) == {"乙乙"}
    assert names(series=a.series_code) == {"甲甲"}
    assert names(level="junior") == {"乙乙", "丙丙"}
    assert names(status="in_publicity") == {"乙乙"}
    assert names(ids=[a.id, c.id]) == {"甲甲", "丙丙"}
    assert names(campaign_id=news.id, office_id=world.office_b.id, level="junior") == {"丙丙"}

    filters = RosterFilters(office_id=world.office_a.id, level="junior", status="all")
    roster = roster_statement(news, filters)
    assert {app.name for app in db.session.scalars(roster)} == {"乙乙"}


def test_sorting_by_unit_follows_the_units_name_kept_on_each_application(app, client, auth, world):
    with app.app_context():
        other = make_unit(world.office_a, "一中")  # sorts before 若羌县文化馆 (by code point)
        first = make_application(world.office_a, world.unit_a, world.campaigns["bz-culture-2021"])
        second = make_application(
            world.office_a, other, world.campaigns["bz-culture-2021"], name="李海燕", seq=2
        )
        db.session.commit()
        assert (first.unit_name, second.unit_name) == ("若羌县文化馆", "一中")
        other, second = readable(other, second)
    auth.login()
    html = client.get("/applications/?sort=unit&dir=asc").get_data(as_text=True)
    assert html.index("李海燕") < html.index("买买提·艾力")
    # Renamed so that it sorts last: its applications follow at once.
    response = post_form(
        client,
        f"/units/{other.id}",
        {
            "name": "龙城中学",
            "nature": other.nature,
            "county": other.county,
            "office_id": other.office_id,
            "objection_office": "龙城中学办公室",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Application, second.id).unit_name == "龙城中学"
    html = client.get("/applications/?sort=unit&dir=asc").get_data(as_text=True)
    assert html.index("买买提·艾力") < html.index("李海燕")


@pytest.mark.parametrize("sort", ["unit", "updated", "name"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_a_sorted_page_walks_an_index_instead_of_sorting_every_row(app, world, sort, direction):
    """On SQLite the plan reads the office's rows in order from an index: flat in n."""
    with app.test_request_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the query plan is SQLite's")
        login_user(world.clerk_a)
        stmt = page_statement(ListQuery(sort=sort, dir=direction)).limit(50)
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        rows = db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql))
        plan = " | ".join(row[-1] for row in rows)
    assert "TEMP B-TREE" not in plan, plan
    assert "USING INDEX ix_application_office" in plan, plan
