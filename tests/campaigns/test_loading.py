"""Loading notice files: who owns which campaign, the audit of loads, and hostile files.

Issue 11: a prefecture user of one 地区 overwrote another prefecture's campaign by upload; a
deeply nested TOML was a 500; an upload's error showed the server's temporary path.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.campaigns.definition import (
    CampaignDefinitionError,
    loads_definition,
    shipped_definition_paths,
)
from portal.campaigns.models import Campaign
from portal.extensions import db as _db
from tests.conftest import csrf_token, readable
from tests.factories import make_user

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[2]
HT_FILE = DATA / "ht-culture-2025.toml"
CULTURE_FILE = next(p for p in shipped_definition_paths() if p.stem == "bz-culture-2021")


def _upload(client, name: str, text: str):
    """POST a notice file to the upload page."""
    token = csrf_token(client, "/campaigns/upload")
    data = {"csrf_token": token, "file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post("/campaigns/upload", data=data, content_type="multipart/form-data")


def _title(app, code: str) -> str | None:
    """The stored title of campaign ``code``, read in a context of its own."""
    with app.app_context():
        return _db.session.scalar(sa.select(Campaign.title).where(Campaign.code == code))


def _audit(app, *where) -> list[AuditEntry]:
    """Audit entries matching ``where``, oldest first, readable after their context closes."""
    with app.app_context():
        stmt = sa.select(AuditEntry).where(*where).order_by(AuditEntry.id)
        entries = list(_db.session.scalars(stmt))
        return [readable(e) for e in entries]


@pytest.fixture
def prefecture_users(app, world):
    """A 职称办 user of 巴音郭楞 and one of 和田地区."""
    with app.app_context():
        make_user("pref_bz", "password-pbz", "prefecture", prefecture="巴音郭楞蒙古自治州")
        make_user("pref_ht", "password-pht", "prefecture", prefecture="和田地区")
        _db.session.commit()


def test_a_prefecture_user_cannot_overwrite_another_prefectures_campaign(
    app, client, auth, prefecture_users
):
    # Issue 11: pref_ht uploads 巴州's bz-culture-2021 under its own prefecture's name.
    text = CULTURE_FILE.read_text(encoding="utf-8")
    hijack = text.replace('prefecture = "巴音郭楞蒙古自治州"', 'prefecture = "和田地区"').replace(
        'title = "2021年度自治州文化系列职称评审"', 'title = "被替换的通知"'
    )
    auth.login("pref_ht", "password-pht")
    html = _upload(client, "bz-culture-2021.toml", hijack).get_data(as_text=True)
    assert "属于巴音郭楞蒙古自治州，不能替换" in html
    assert _title(app, "bz-culture-2021") == "2021年度自治州文化系列职称评审"
    # Nor as 巴州's own file: a user loads only campaigns of its own prefecture.
    html = _upload(client, "bz-culture-2021.toml", text).get_data(as_text=True)
    assert "您只能导入本地州（和田地区）的评审通知" in html
    refused = _audit(app, AuditEntry.action == "campaign_load_refused")
    assert len(refused) == 2 and refused[0].username == "pref_ht"


def test_a_prefecture_user_loads_and_replaces_its_own_campaigns(
    app, client, auth, prefecture_users
):
    auth.login("pref_ht", "password-pht")
    text = HT_FILE.read_text(encoding="utf-8")
    response = _upload(client, "ht-culture-2025.toml", text)
    assert response.status_code == 302 and _title(app, "ht-culture-2025")
    changed = text.replace('title = "2025年度和田地区文化系列职称评审"', 'title = "更正后的通知"')
    assert _upload(client, "ht-culture-2025.toml", changed).status_code == 302
    assert _title(app, "ht-culture-2025") == "更正后的通知"
    loads = _audit(app, AuditEntry.action == "campaign_load", AuditEntry.username == "pref_ht")
    assert [e.detail["created"] for e in loads] == [True, False]
    assert (
        loads[1].detail["title"] == "更正后的通知"
        and loads[1].detail["file"] == "ht-culture-2025.toml"
    )


def test_region_wide_campaigns_are_admin_only(app, client, auth, prefecture_users):
    text = HT_FILE.read_text(encoding="utf-8").replace(
        'prefecture = "和田地区"', 'prefecture = "全区"'
    )
    auth.login("pref_ht", "password-pht")
    html = _upload(client, "ht-culture-2025.toml", text).get_data(as_text=True)
    assert "只能由系统管理员导入" in html and _title(app, "ht-culture-2025") is None
    auth.logout()
    auth.login("admin", "password-admin")
    assert _upload(client, "ht-culture-2025.toml", text).status_code == 302
    # A region-wide campaign is seen by every office.
    auth.logout()
    auth.login("clerk_a", "password-a")
    assert client.get("/campaigns/ht-culture-2025").status_code == 200


def test_clerks_cannot_upload(client, auth, world):
    auth.login("clerk_a", "password-a")
    assert client.get("/campaigns/upload").status_code == 403


def test_a_campaign_is_not_moved_away_from_its_applications(app, db, world):
    # Re-scoping a campaign to 和田地区 would hide it from the 巴州 offices that use it.
    from portal.campaigns.definition import load_definition
    from portal.campaigns.services import CampaignLoadRefused, upsert_campaign
    from tests.factories import make_application

    make_application(world.office_a, world.unit_a, world.campaigns["bz-culture-2021"])
    db.session.commit()
    moved = load_definition(CULTURE_FILE).model_copy(update={"prefecture": "和田地区"})
    with pytest.raises(CampaignLoadRefused) as info:
        upsert_campaign(moved)
    assert "若羌县文化体育广播电视和旅游局" in info.value.message


def test_an_upload_error_names_the_uploaded_file_not_a_temporary_path(client, auth, world):
    # Issue 11: the message showed /tmp/tmpXXXX/… — the server's path.
    auth.login("admin", "password-admin")
    text = CULTURE_FILE.read_text(encoding="utf-8").replace(
        "max_submissions = 3", "max_submissions = 0"
    )
    html = _upload(client, "我的通知.toml", text).get_data(as_text=True)
    assert "我的通知.toml: rules.max_submissions: 不能小于1" in html
    assert "/tmp" not in html and "tmp" not in html.split("我的通知.toml")[0][-200:]


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 5000 + "]" * 5000,
        "a = " + "{b = " * 3000 + "1" + "}" * 3000,
        "[" + ".".join(f"k{i}" for i in range(400)) + "]\nx = 1",
    ],
    ids=["arrays", "inline-tables", "dotted-tables"],
)
def test_a_deeply_nested_file_is_refused_with_a_message(text: str):
    # Issue 11: RecursionError (500) on a deeply nested campaign TOML.
    with pytest.raises(CampaignDefinitionError) as info:
        loads_definition(text, "deep.toml")
    assert info.value.file == "deep.toml" and "嵌套层数过多" in info.value.message


def test_a_deeply_nested_upload_is_a_message_not_a_500(client, auth, world):
    auth.login("admin", "password-admin")
    response = _upload(client, "deep.toml", "a = " + "[" * 5000 + "]" * 5000)
    assert response.status_code == 200 and "嵌套层数过多" in response.get_data(as_text=True)


def test_the_command_line_load_is_audited(runner, db, world):
    res = runner.invoke(args=["campaigns", "load", str(HT_FILE)])
    assert res.exit_code == 0, res.output
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "campaign_load")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.username == "cli" and entry.detail["code"] == "ht-culture-2025"
    assert entry.detail["prefecture"] == "和田地区"


def test_a_stored_definition_is_parsed_once_per_version(app, db, world, monkeypatch):
    # Every request used to re-validate the JSON; now once per stored version, process-wide.
    from portal.campaigns import models
    from portal.campaigns.definition import load_definition
    from portal.campaigns.services import upsert_campaign

    calls: list[str] = []
    real = models.from_dict

    def counting(data, file="<json>"):
        calls.append(file)
        return real(data, file)

    monkeypatch.setattr(models, "from_dict", counting)
    monkeypatch.setattr(models, "_CACHE", type(models._CACHE)())
    campaign_id = world.campaigns["bz-culture-2021"].id
    first = db.session.get(Campaign, campaign_id).definition
    db.session.expunge_all()  # a later request: a new Campaign object, the same stored version
    again = db.session.scalar(sa.select(Campaign).where(Campaign.id == campaign_id)).definition
    assert again is first and calls == [f"campaign#{campaign_id}"]
    # Replacing the campaign changes its hash: the new version is parsed, once.
    changed = load_definition(CULTURE_FILE).model_copy(update={"title": "更正后的通知"})
    upsert_campaign(changed)
    db.session.commit()
    campaign = db.session.get(Campaign, campaign_id)
    assert (
        campaign.definition.title == "更正后的通知" and campaign.definition is campaign.definition
    )
    assert len(calls) == 2


def test_the_migration_converts_a_stored_definition_of_the_old_format():
    # A campaign stored before the format changed (JSON written by the old code) keeps
    # behaving as before: the bars it had, the clauses the code cited, the wording it printed.
    import importlib.util
    import json

    from portal.campaigns.definition import from_dict, to_dict

    path = ROOT / "migrations" / "versions" / "7c2d9e4b1f30_campaign_format_v2.py"
    spec = importlib.util.spec_from_file_location("campaign_format_v2", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    old = json.loads((DATA / "old-format-bz-partyschool-2023.json").read_text(encoding="utf-8"))
    new = from_dict(migration.to_new(old))
    assert new.cite("resubmit") == "2023年度自治州党干校教师系列职称评审 四（三）"
    assert new.cite("defense_exemption").endswith(" 六（一）、（二）")
    assert new.defense_exemption.levels == ("junior",)
    bars = new.rules.eligibility
    assert (bars.retired, bars.civil_servant, bars.sanction) == (True, True, "记过")
    assert new.templates.publicity_combined and len(new.documents.ce_exemption.notes) == 3
    assert migration.to_new(to_dict(new)) == to_dict(new)  # a converted one is left alone
    back = migration.to_old(to_dict(new))
    assert set(back) == set(old) and back["defense_exemption"]["junior_level"] is True
