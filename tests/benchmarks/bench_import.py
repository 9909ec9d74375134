"""Benchmark: importing a roster of 1,000 and 5,000 applicants (5,000 is the most one file holds).

Run: python -m tests.benchmarks.bench_import
For each size, on a fresh SQLite file: the seconds to read the workbook, to check its cells,
the preview (the dry run, every row also checked by the operations API), the confirmation
(cells checked, then every row written through the operations API, which checks it as it
writes), and the preview of the same file again (every row now an update); each as wall time
and as the process's CPU time (what it takes on an idle machine). Also the CPU milliseconds
per row of the operations API's check.
"""

from __future__ import annotations

import io
import tempfile
import time
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from portal import create_app
from portal.applications.idcard import make_id
from portal.campaigns.services import load_shipped_campaigns
from portal.extensions import db
from portal.offices.models import Office, RecommendingUnit
from portal.rosters import importer
from portal.rosters.reading import read_workbook

SURNAMES = "张王李赵刘陈杨黄马吴"
GIVEN = ["丽娟", "建军", "海燕", "买买提·艾力", "古丽娜尔", "巴图", "努尔兰", "晓梅", "德力格尔"]
# A unit's header: the words units use, reordered, with a column the portal does not read.
HEADER = [
    "序号", "姓名", "身份证号码", "性别", "民族", "出生年月日", "政治面貌", "现专业技术职务",
    "取得时间", "工作单位", "学历", "毕业院校及专业", "参加工作时间", "申报系列", "申报级别",
    "联系电话", "籍贯",
]  # fmt: skip


def roster(n: int) -> bytes:
    """A unit roster of n applicants under a merged title, with a totals row."""
    wb = Workbook()
    ws = wb.active
    ws.append(["申报人员花名册"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    for i in range(n):
        birth = date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
        gender = "男" if i % 2 else "女"
        ws.append([
            i + 1, SURNAMES[i % 10] + GIVEN[i % len(GIVEN)],
            make_id("652824", birth, i % 499, gender), gender, "维吾尔族" if i % 3 else "维族",
            f"{birth.year}.{birth.month:02d}", "中共党员" if i % 2 else "团员",
            "助理讲师" if i % 4 else "无", "2015.09" if i % 4 else None, f"测试单位{i % 20:02d}",
            "大学本科", "新疆大学 法学", f"{birth.year + 22}.08", "党干校教师系列",
            "中级" if i % 4 else "初级", "13912345678", "新疆",
        ])  # fmt: skip
    ws.append(["合计", f"{n}人"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _timed(out: dict[str, float], step: str, fn):
    """Run fn; note its wall seconds and the process's CPU seconds (about the wall time on an
    idle machine: the wall time also counts what other processes take)."""
    started, cpu = time.perf_counter(), time.process_time()
    value = fn()
    out[step] = time.perf_counter() - started
    out[f"{step}, CPU"] = time.process_time() - cpu
    return value


def measure(n: int) -> dict[str, float]:
    """Seconds for each step of importing n applicants into an empty office."""
    folder = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
        }
    )
    out: dict[str, float] = {}
    with app.app_context():
        db.create_all()
        campaign = next(c for c in load_shipped_campaigns() if c.code == "bz-partyschool-2023")
        office = Office(code="BENCH", name="基准测试局", county="若羌县", prefecture="巴音郭楞")
        db.session.add(office)
        db.session.flush()
        db.session.add_all(
            RecommendingUnit(
                office_id=office.id, name=f"测试单位{i:02d}", nature="事业单位", county="若羌县"
            )
            for i in range(20)
        )
        db.session.commit()
        data = roster(n)
        out["file MB"] = len(data) / 1e6
        book = _timed(out, "read", lambda: read_workbook(data))
        assert sum(len(s.rows) for s in book.sheets) == n
        cells = _timed(
            out,
            "read + cells",
            lambda: importer.dry_run(data, campaign, office, check_writes=False),
        )
        assert cells.ok, cells.messages()[:3]
        preview = _timed(out, "preview", lambda: importer.dry_run(data, campaign, office))
        assert preview.ok, preview.messages()[:3]
        out["API check ms/row, CPU"] = (out["preview, CPU"] - out["read + cells, CPU"]) * 1000 / n

        def confirm():
            result = importer.dry_run(data, campaign, office, check_writes=False)
            importer.apply(result, campaign, office, None)
            db.session.commit()
            return result

        saved = _timed(out, "confirm", confirm)
        assert saved.saved and saved.created == n
        again = _timed(out, "preview of updates", lambda: importer.dry_run(data, campaign, office))
        assert again.ok and {r.action for r in again.rows} == {"update"}
    return out


def main() -> None:
    sizes = (1_000, 5_000)
    print("Roster import benchmark (seconds unless stated; SQLite file)")
    results = {n: measure(n) for n in sizes}
    steps = list(results[sizes[0]])
    print(f"{'step':<26}" + "".join(f"{n:>12,}" for n in sizes))
    for step in steps:
        print(f"{step:<26}" + "".join(f"{results[n][step]:>12.2f}" for n in sizes))


if __name__ == "__main__":
    main()
