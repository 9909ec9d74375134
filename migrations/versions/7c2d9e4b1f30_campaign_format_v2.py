"""campaign format 2: definition hash, prefecture index, stored definitions converted

The campaign format moved to portal/campaigns/schema.py: clauses come from the file
([clauses]), eligibility bars and the defense exemption by level are stated per notice,
the combined publicity wording and the exemption form are the campaign's. Stored
definitions of the old format are rewritten so that they keep behaving as before: every
bar they used to get, the clauses the code used to cite for the four shipped notices, and
the wording the code used to print. Self-contained on purpose (no portal imports).

Revision ID: 7c2d9e4b1f30
Revises: 263dfae7a11e
Create Date: 2026-11-28 09:00:00

"""
import copy
import hashlib
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c2d9e4b1f30'
down_revision = '263dfae7a11e'
branch_labels = None
depends_on = None

# The citations portal/rules/checks.py kept in code before this revision, by old `source`.
OLD_CLAUSES = {
    "000": {"eligibility": "一", "blank": "八（三）", "continuing_education": "七（二）",
            "ce_exemption": "七（一）", "assessment": "五（十）", "papers": "五（九）",
            "window": "四", "submissions": "八（四）", "fee": "八（六）"},
    "001": {"eligibility": "二", "blank": "八（二）", "continuing_education": "五（一）5、七（二）",
            "ce_exemption": "七（一）", "assessment": "五（一）7", "papers": "五（一）4",
            "window": "一", "submissions": "八（二）", "fee": "八（三）"},
    "002": {"eligibility": "一", "blank": "四（二）、八（一）", "continuing_education": "五（一）10",
            "ce_exemption": "五（一）10、附件4", "assessment": "五（一）8", "papers": "五（一）7",
            "window": "三（一）", "submissions": "四（三）", "resubmit": "四（三）", "fee": "七",
            "education": "五（一）2", "work": "五（一）4"},
    "003": {"eligibility": "一（二）", "blank": "七（二）", "continuing_education": "六（二）",
            "ce_exemption": "六（一）", "assessment": "四（十）", "papers": "四（九）",
            "window": "三", "submissions": "七（三）", "fee": "七（五）"},
}
# The wording the code printed for every campaign before this revision.
OLD_COMBINED = (
    "推荐单位公示\n"
    "根据自治区职称评审工作的要求，现对{{ 姓名列表 }}等{{ 人数 }}名同志申报专业技术任职资格进行公示。\n"
    "{{ 名单 }}\n"
    "公示时间从{{ 公示开始 }}起至{{ 公示结束 }}止（公示期不少于5个工作日）。如对以上同志的相关信息有疑异，"
    "请电话或书面形式反映至{{ 受理办公室 }}办公室，监督电话：{{ 监督电话 }}\n"
    "签字：（单位负责人签字）\n（推荐单位公章）\n{{ 日期 }}"
)
OLD_CE_FORM = {
    "title": "自治区“访惠聚”驻村等专业技术人员职称评审\n免除继续教育学习申请表",
    "notes": [
        "仍在参加“访惠聚”驻村（含抽调到各级“访惠聚”办公室）工作的专业技术人员，由同级“访惠聚”"
        "办公室审核；参加驻村管寺、南疆学前双语教育干部支教工作的专业技术人员，由同级党委统战部门"
        "或南疆四地州学前双语教育干部支教工作领导小组办公室审核。",
        "参加“访惠聚”驻村、驻村管寺、南疆学前双语教育干部支教工作已返回人员，由原派驻单位所属的"
        "地州市或自治区区属主管单位审核。",
        "各地各部门不得私自设置免除继续教育学习事项及申请表（审批表）。",
    ],
}

campaign = sa.table(
    "campaign",
    sa.column("id", sa.Integer),
    sa.column("definition_json", sa.JSON),
    sa.column("definition_hash", sa.String),
)


def _hash(data):
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _strip_source(clause, source):
    return clause[len(source) + 1:] if clause.startswith(source + " ") else clause


def to_new(old):
    """An old-format stored definition in the new format, behaving as before."""
    if "clauses" in old:
        return old
    d = copy.deepcopy(old)
    source = d.pop("source", "")
    rules = d.setdefault("rules", {})
    # Every notice barred all three before: keep that until the file is reloaded.
    rules["eligibility"] = {"retired": True, "civil_servant": True, "sanction": "记过"}
    exemption = d.setdefault("defense_exemption", {})
    exemption["levels"] = ["junior"] if exemption.pop("junior_level", False) else []
    clauses = dict(OLD_CLAUSES.get(source, {}))
    clause = _strip_source(exemption.pop("source_clause", ""), source)
    if clause:
        clauses["defense_exemption"] = clause
    d["clauses"] = clauses
    d.setdefault("templates", {}).setdefault("publicity_combined", OLD_COMBINED)
    d["documents"] = {"ce_exemption": copy.deepcopy(OLD_CE_FORM)}
    return d


def to_old(new):
    """A new-format stored definition in the old format (best effort, for a downgrade)."""
    if "clauses" not in new:
        return new
    d = copy.deepcopy(new)
    year = d.get("year", 0)
    for key in ("clauses", "notes", "wording", "documents", "annexes", "short_title"):
        d.pop(key, None)
    d["source"] = "000"
    rules = d.setdefault("rules", {})
    rules.pop("eligibility", None)
    rules.pop("language", None)
    ce = rules.setdefault("continuing_education", {})
    for key in ("min_total_hours", "min_public_hours", "min_professional_hours"):
        ce[key] = ce.get(key) or 0
    for spans in ce.get("by_level", {}).values():
        for key in ("public_years", "professional_years"):
            value = spans.get(key)
            if isinstance(value, str):
                spans[key] = max(1, year - int(value[:4]) + 1)
            elif value is None:
                spans[key] = 1
    exemption = d.setdefault("defense_exemption", {})
    exemption["junior_level"] = "junior" in exemption.pop("levels", [])
    exemption.pop("required_levels", None)
    exemption["source_clause"] = "000"
    d.get("templates", {}).pop("publicity_combined", None)
    d["windows"] = [w for w in d.get("windows", []) if w.get("kind")]
    for window in d["windows"]:
        window["start"] = window.get("start") or window.get("end") or d.get("issued_on")
        for key in ("start_time", "end_time"):
            window.pop(key, None)
    for material in d.get("materials", []):
        material.pop("levels", None)
        material.pop("first_time_only", None)
    for contact in d.get("contacts", []):
        contact.pop("role", None)
        contact["name"] = contact.get("name") or "联系人"
    return d


def _stored():
    """(id, definition) of every stored campaign."""
    conn = op.get_bind()
    rows = conn.execute(sa.select(campaign.c.id, campaign.c.definition_json)).all()
    return [(row_id, json.loads(data) if isinstance(data, str) else data or {}) for row_id, data in rows]


def upgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('definition_hash', sa.String(length=64), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_campaign_prefecture'), ['prefecture'], unique=False)
    for row_id, data in _stored():
        new = to_new(data)
        op.get_bind().execute(
            campaign.update().where(campaign.c.id == row_id).values(definition_json=new, definition_hash=_hash(new))
        )


def downgrade():
    old_table = sa.table("campaign", sa.column("id", sa.Integer), sa.column("definition_json", sa.JSON))
    for row_id, data in _stored():
        op.get_bind().execute(old_table.update().where(old_table.c.id == row_id).values(definition_json=to_old(data)))
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_prefecture'))
        batch_op.drop_column('definition_hash')
