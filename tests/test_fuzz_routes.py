"""Route fuzzing: every URL rule, each role, random and boundary values; never a 5xx (issue 11).

Seeded, so a failure repeats: the assertion names the method, URL, role and data. The number
of requests is FUZZ_REQUESTS (default 3,000; set the environment variable to run more).
"""

from __future__ import annotations

import io
import os
import random
import re
import zipfile
from collections import Counter, defaultdict
from html.parser import HTMLParser
from urllib.parse import unquote_plus, urljoin, urlsplit

import pytest
from werkzeug.datastructures import FileStorage

from portal.applications.sections import SECTIONS
from portal.documents.context import KINDS
from portal.documents.models import UnitTemplate
from portal.workdays.models import WorkdayOverride
from tests.factories import make_application, make_user

SEED = int(os.environ.get("FUZZ_SEED", "20261127"))
REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "3000"))

BOUNDARY = [
    "",
    " ",
    "0",
    "1",
    "-1",
    "2",
    "00",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "9" * 40,
    "1e309",
    "nan",
    "-0",
    "0x10",
    "²",
    "١٢",
    "①",
    "abc",
    "remove:abc",
    "remove:",
    "remove:0",
    "remove:-1",
    "remove:99999",
    "add",
    "save",
    "\x00",
    "\x0b",
    "a\x0bb",
    "\ud7ff",
    "\u202e",
    "x" * 5000,
    "名" * 300,
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% for x in () %}",
    "' OR 1=1 --",
    "%",
    "../..",
    "2024-02-30",
    "2024-13-01",
    "9999-12-31",
    "0000-00-00",
    "1899-12-31",
    "2024年2月30日",
    "2024.7",
    "=1+1",
    "@SUM(A1)",
    "true",
    "on",
    "y",
    "none",
    "null",
    "[]",
    "{}",
    "/\t/evil.com",
    "//evil.com",
    "https://evil.com",
    "javascript:alert(1)",
]
NAMES_EVERYWHERE = [
    "q",
    "page",
    "sort",
    "campaign",
    "campaign_id",
    "status",
    "level",
    "series",
    "office",
    "office_id",
    "unit",
    "unit_id",
    "ids",
    "kind",
    "mode",
    "format",
    "field",
    "start",
    "to",
    "note",
    "action",
    "token",
    "only_valid",
    "text",
    "application_id",
    "campaign_code",
    "next",
    "refresh",
    "name",
    "day",
    "is_workday",
    "user",
    "date_from",
    "date_to",
]


class FormCatalogue(HTMLParser):
    """Forms and htmx targets of a page: (method, url) -> field name -> values seen."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: dict[tuple[str, str], dict[str, set[str]]] = {}
        self.fields: dict[str, set[str]] = defaultdict(set)
        self.targets: set[tuple[str, str]] = set()
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v or "") for k, v in attrs}
        for verb in ("get", "post"):
            if a.get(f"hx-{verb}"):
                self.targets.add((verb.upper(), urljoin(self.page_url, a[f"hx-{verb}"])))
        if tag == "form":
            method = (a.get("method") or "get").upper()
            self.targets.add((method, urljoin(self.page_url, a.get("action") or self.page_url)))
        if a.get("formaction"):
            self.targets.add(("POST", urljoin(self.page_url, a["formaction"])))
        name = a.get("name")
        if tag in ("input", "button", "textarea") and name:
            self.fields[name].add(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self.fields[name]
        elif tag == "option" and self._select:
            self.fields[self._select].add(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


@pytest.fixture
def scene(app, world):
    """The world plus an application per office, a unit template and a working-day override."""
    from datetime import date

    from portal.extensions import db

    with app.app_context():
        prefecture = make_user(
            "pref_1", "password-pref", "prefecture", prefecture="巴音郭楞蒙古自治州"
        )
        app_a = make_application(world.office_a, world.unit_a, world.campaigns["bz-culture-2021"])
        app_b = make_application(
            world.office_b, world.unit_b, world.campaigns["bz-water-2021"], name="张三", seq=7
        )
        template = UnitTemplate(
            office_id=world.office_a.id, kind="publicity", text="{{ 姓名 }}", campaign_code=None
        )
        override = WorkdayOverride(day=date(2025, 6, 6), name="古尔邦节")
        db.session.add_all([template, override])
        db.session.commit()
        return {
            "users": {
                "clerk": world.clerk_a.id,
                "prefecture": prefecture.id,
                "admin": world.admin.id,
            },
            "ids": [
                app_a.id,
                app_b.id,
                world.office_a.id,
                world.office_b.id,
                world.unit_a.id,
                world.unit_b.id,
                template.id,
                override.id,
                world.clerk_b.id,
            ],
            "codes": list(world.campaigns),
        }


def _log_in(client, user_id: int) -> None:
    """A login without the form (the fuzzer's failed logins must not throttle the roles)."""
    from portal.auth import sessions
    from portal.auth.models import User
    from portal.extensions import db

    with client.application.test_request_context():
        user = db.session.get(User, user_id)
        token = sessions.start(user)
        db.session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user_id}:{token}"
        sess["_fresh"] = True


def _token(client) -> str:
    """A CSRF token of the client's session (from the home page, else the login page)."""
    for url in ("/", "/login"):
        html = client.get(url).get_data(as_text=True)
        found = re.search(r'name="csrf-token" content="([^"]+)"', html)
        if found:
            return found.group(1)
    return ""


def _path_value(rng: random.Random, converter: str, name: str, scene: dict) -> str:
    if converter == "IntegerConverter" or converter == "BoundedIntConverter":
        return str(rng.choice(scene["ids"] + [0, 1, 2**31 - 1, 2**31, 2**63, 2**64, 10**30]))
    pools = {
        "key": [s.key for s in SECTIONS] + ["review", "x", "documents"],
        "kind": list(KINDS) + ["x", "publicity_result"],
        "code": scene["codes"] + ["x", "名"],
        "job_id": ["0" * 32, "x", "a" * 200],
        "name": ["htmx.min.js", "x.js", "..%2F..%2Fetc%2Fpasswd"],
        "filename": ["portal.css", "portal.js", "x", "../portal/__init__.py"],
    }
    return rng.choice(pools.get(name, ["x"]) + ["%E5%90%8D", "-1"])


def _path_args(rule) -> set[str]:
    """The variables in a rule's path (not those its defaults fill in)."""
    return set(rule._converters)


def _real_path_values(rule, scene: dict) -> list[dict[str, str]]:
    """Path values naming real records: each id of the scene, each section or kind."""
    if not _path_args(rule):
        return [{}]
    pools = {
        "key": [s.key for s in SECTIONS],
        "kind": list(KINDS),
        "code": scene["codes"][:2],
    }
    combos: list[dict[str, str]] = [{}]
    for arg in sorted(_path_args(rule)):
        converter = type(rule._converters[arg]).__name__
        ids = sorted(set(scene["ids"]))
        pool = [str(i) for i in ids] if "Int" in converter else pools.get(arg, [])
        combos = [dict(c, **{arg: v}) for c in combos for v in pool]
    return combos


def _value(rng: random.Random, scene: dict) -> str:
    roll = rng.random()
    if roll < 0.5:
        return rng.choice(BOUNDARY)
    if roll < 0.7:
        return str(rng.choice(scene["ids"]))
    if roll < 0.8:
        return rng.choice(scene["codes"])
    alphabet = "abc019-:/ 名·\n\t\x0b<>&\"'%{}"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))


def _random_file(rng: random.Random) -> FileStorage:
    """Garbage, a truncated zip, an xlsx-looking zip with an XML bomb, or a TOML-ish text."""
    choice = rng.randrange(4)
    if choice == 0:
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
    elif choice == 1:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>" * 50)
        data = buf.getvalue()[: rng.randint(4, 60)]
    elif choice == 2:
        bomb = (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>'
        )
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("[Content_Types].xml", bomb)
            z.writestr("xl/workbook.xml", bomb)
        data = buf.getvalue()
    else:
        data = rng.choice([b"code = 1\n", b"[a]\nb = [[[[1]]]]\n", b"\xff\xfe", b"x = \x0b\n"])
    name = rng.choice(["x.xlsx", "x.toml", "名.xlsx", "../../x.toml", ""])
    return FileStorage(io.BytesIO(data), filename=name)


def test_no_route_answers_with_a_server_error(app, scene):
    from flask import got_request_exception

    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as in production, and note why
    errors: list[str] = []

    def note(sender, exception, **extra):
        errors.append(f"{type(exception).__name__}: {exception}"[:300])

    got_request_exception.connect(note, app)
    rng = random.Random(SEED)
    roles = {"anonymous": None, **scene["users"]}
    clients = {}
    for role, user in roles.items():
        client = app.test_client()
        if user is not None:
            _log_in(client, user)
        clients[role] = client
    every_rule = [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint not in ("auth.logout", "auth.logout_everywhere")
    ]
    rules = [r for r in every_rule if not r.endpoint.endswith("delete")]
    deleting = [r for r in every_rule if r.endpoint.endswith("delete")]
    # Warm-up: every page each role can open with real ids; its forms and htmx targets.
    catalogue: dict[str, list[tuple[str, str, dict[str, list[str]]]]] = defaultdict(list)
    names = set(NAMES_EVERYWHERE)
    pages = 0
    for role, client in clients.items():
        for rule in rules:
            if "GET" not in rule.methods or rule.endpoint in ("static", "vendor.asset"):
                continue
            for values in _real_path_values(rule, scene):
                url = rule.rule
                for arg, value in values.items():
                    url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", value, url)
                resp = client.get(url)
                pages += 1
                if resp.status_code != 200 or "html" not in resp.content_type:
                    continue
                parser = FormCatalogue(url)
                parser.feed(resp.get_data(as_text=True))
                fields = {k: sorted(v) for k, v in parser.fields.items() if k != "csrf_token"}
                names |= set(fields)
                for method, target in parser.targets:
                    parts = urlsplit(target)
                    if parts.path.startswith(("/logout", "/account/logout")) or parts.path.endswith(
                        "/delete"
                    ):
                        continue  # deleting comes last, so the records live through the run
                    path = parts.path + (f"?{parts.query}" if parts.query else "")
                    catalogue[role].append((method, path, fields))
    names = sorted(names)
    targets = sum(len(v) for v in catalogue.values())
    print(f"fuzz warm-up: {pages} pages read, {targets} forms and htmx targets found")
    tokens = {role: _token(client) for role, client in clients.items()}
    statuses: Counter[int] = Counter()
    by_route: Counter[tuple] = Counter()
    failures = []
    role_names = list(roles)
    for i in range(REQUESTS):
        role = role_names[i % len(role_names)]
        client = clients[role]
        headers = {"HX-Request": "true"} if rng.random() < 0.3 else {}
        if catalogue[role] and rng.random() < 0.6:
            # A real form of this role's pages, with one to three fields made bad.
            kinds = sorted({(m, re.sub(r"\d+|\?.*", "", u)) for m, u, _ in catalogue[role]})
            kind = rng.choice(kinds)
            method, path, fields = rng.choice(
                [e for e in catalogue[role] if (e[0], re.sub(r"\d+|\?.*", "", e[1])) == kind]
            )
            data = {k: rng.choice(v) if v else "" for k, v in fields.items() if rng.random() < 0.9}
            for name in rng.sample(
                sorted(fields) or names, k=min(len(fields) or 1, rng.randint(1, 3))
            ):
                data[name] = _value(rng, scene)
        else:
            if i >= REQUESTS - len(deleting) * len(role_names) * 3:
                rule = rng.choice(deleting)  # the last requests delete, with real ids too
            else:
                rule = rules[i % len(rules)] if i < len(rules) * 4 else rng.choice(rules)
            method = rng.choice(sorted(rule.methods - {"HEAD", "OPTIONS"}))
            values = {
                arg: _path_value(rng, type(rule._converters[arg]).__name__, arg, scene)
                for arg in _path_args(rule)
            }
            path = rule.rule
            for arg, value in values.items():
                path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", value, path)
            data = {rng.choice(names): _value(rng, scene) for _ in range(rng.randint(0, 8))}
        if method == "GET":
            path, _, query = path.partition("?")
            for pair in query.split("&") if query else ():
                name, _, value = pair.partition("=")
                data.setdefault(unquote_plus(name), unquote_plus(value))
            resp = client.get(path, query_string=data, headers=headers)
        else:
            data["csrf_token"] = tokens[role]
            if rng.random() < 0.15:
                data[rng.choice(["file", "upload"])] = _random_file(rng)
            headers["X-CSRFToken"] = tokens[role]
            resp = client.post(path, data=data, headers=headers)
        statuses[resp.status_code] += 1
        if os.environ.get("FUZZ_DEBUG"):
            by_route[(resp.status_code, method, re.sub(r"\d+", "N", path)[:40])] += 1
        if resp.status_code >= 500:
            failures.append((method, path, role, data, resp.status_code, errors[-1:]))
        resp.close()
        if (
            role != "anonymous"
            and resp.status_code in (302, 401)
            and (
                resp.headers.get("Location", "").startswith("/login")
                or resp.headers.get("HX-Redirect", "").startswith("/login")
            )
        ):
            _log_in(client, roles[role])  # a fuzzed form ended the login: carry on
            tokens[role] = _token(client)
        elif resp.status_code in (303, 400):
            tokens[role] = _token(client)  # the session may have been cleared (CSRF refused)
    print(f"fuzz: {REQUESTS} requests, seed {SEED}, statuses {dict(sorted(statuses.items()))}")
    for item, n in by_route.most_common(40):
        print(n, item)
    for failure in failures[:40]:
        print(failure)
    assert not failures, failures[:10]
    assert sum(n for code, n in statuses.items() if code < 400) > REQUESTS // 5  # not all refused
