"""The Open Data Library at a glance: each published dataset's last submission, validation and publish.

Built from the contracts and the ledgers the three stages append to (transforms.data_layout),
so it needs neither Airflow nor CKAN to answer. The Airflow UI page and `make demo` show it.
"""

from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from transforms.contracts import load_departments, load_published_contracts
from transforms.data_layout import (
    CONNECT_RUNS,
    PUBLISHES,
    SUBMISSIONS,
    ConnectLine,
    DataLayout,
    PublishFailure,
    PublishLine,
    Submission,
)

SHOWN_IN = ZoneInfo("Asia/Tokyo")  # the stages record UTC or offsets; people read 日本時間

# Japanese words for the outcomes the stages record.
OUTCOME_LABELS = {
    "accepted": "受付",
    "rejected": "差し戻し",
    "duplicate": "受付済み（同じファイル）",
    "curated": "検証OK",
    "passed": "検証OK",
    "unchanged": "変更なし",
    "blocked": "結合エラーで停止",
    "failed": "失敗",
    "published": "公開",
    "rolled_back": "前の版に戻した",
}
# Publish outcomes after which CKAN serves a complete version of the dataset.
SERVING = ("published", "unchanged", "rolled_back")


@dataclass
class DatasetStatus:
    id: str
    title: str
    department: str
    department_name: str
    inputs: list[str]
    submission: Submission | None = None  # the latest submission of any input
    accepted: Submission | None = None  # the latest accepted one: what the data is built from
    validation: ConnectLine | None = None  # the latest connect run
    publish: PublishLine | None = None  # the latest publish after which CKAN served the dataset
    publish_failure: PublishFailure | None = None  # a failed publish newer than that, if any

    @property
    def stage(self) -> str:
        """How far the dataset has got: waiting, stored, validated, published, or blocked.

        Blocked wins over published: CKAN still serves the last good version, but the newest
        inputs were stopped at validation and someone has to look.
        """
        if self.validation and self.validation.outcome in ("blocked", "failed"):
            return "blocked"
        if self.publish:
            return "published"
        if self.validation:
            return "validated"
        if self.submission and self.submission.outcome in ("accepted", "duplicate"):
            return "stored"
        return "waiting"


@dataclass
class Rejection:
    department: str
    department_name: str
    file: str
    dataset: str | None
    received_at: str
    errors: int
    report_path: str


@dataclass
class LibraryStatus:
    datasets: list[DatasetStatus]
    rejections: list[Rejection] = field(default_factory=list)


def _latest_submission(submissions: list[Submission], inputs: tuple[str, ...], *outcomes: str) -> Submission | None:
    """The latest submission of any of the inputs, with one of the outcomes if any are named."""
    matching = [s for s in submissions if s.dataset in inputs and (not outcomes or s.outcome in outcomes)]
    return matching[-1] if matching else None


def _latest_run(runs: list[ConnectLine], dataset: str) -> ConnectLine | None:
    matching = [run for run in runs if run.dataset == dataset]
    return matching[-1] if matching else None


def _latest_served(publishes: list[PublishLine | PublishFailure], dataset: str) -> PublishLine | None:
    """The latest publish of the dataset after which CKAN served it."""
    matching = [p for p in publishes if isinstance(p, PublishLine) and p.dataset == dataset and p.outcome in SERVING]
    return matching[-1] if matching else None


def _failure_since(publishes: list[PublishLine | PublishFailure], dataset: str) -> PublishFailure | None:
    """The latest publish line of the dataset when it is a failure (CKAN kept the version before)."""
    matching = [p for p in publishes if p.dataset == dataset]
    return matching[-1] if matching and isinstance(matching[-1], PublishFailure) else None


def library_status(data_root: Path | None = None, catalog_dir: Path | None = None) -> LibraryStatus:
    departments = load_departments(catalog_dir)
    layout = DataLayout.at(data_root)
    submissions, runs, publishes = layout.read(SUBMISSIONS), layout.read(CONNECT_RUNS), layout.read(PUBLISHES)
    datasets = [
        DatasetStatus(
            id=contract.id,
            title=contract.title,
            department=contract.department,
            department_name=departments[contract.department].name,
            inputs=list(contract.inputs),
            submission=_latest_submission(submissions, contract.inputs),
            accepted=_latest_submission(submissions, contract.inputs, "accepted"),
            validation=_latest_run(runs, contract.id),
            publish=_latest_served(publishes, contract.id),
            publish_failure=_failure_since(publishes, contract.id),
        )
        for contract in load_published_contracts(catalog_dir).values()
    ]
    rejections = [
        Rejection(
            department=record.department,
            department_name=departments[record.department].name
            if record.department in departments
            else record.department,
            file=record.original_name,
            dataset=record.dataset,
            received_at=record.received_at,
            errors=int(record.errors or 0),
            report_path=str(record.report_path),
        )
        for record in submissions
        if record.outcome == "rejected" and record.report_path
    ]
    return LibraryStatus(datasets, rejections)


def _when(record: Submission | ConnectLine | PublishLine | PublishFailure | None) -> str:
    """When the record's stage finished, in Japan time."""
    if isinstance(record, Submission):
        stamp = record.received_at
    elif isinstance(record, ConnectLine):
        stamp = record.at
    elif record is not None:
        stamp = record.finished_at or record.time
    else:
        stamp = ""
    return _local_time(stamp)


def _local_time(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(SHOWN_IN)
    return moment.strftime("%Y-%m-%d %H:%M")


def _label(record: Submission | ConnectLine | PublishLine | None) -> str:
    if not record:
        return "まだありません"
    return OUTCOME_LABELS.get(record.outcome, record.outcome)


def _failed_publish(dataset: DatasetStatus) -> str:
    failure = dataset.publish_failure
    if not failure:
        return ""
    return f'<br><small class="failed">公開に失敗（{escape(_when(failure))}）。前の版を公開中です</small>'


def _in_use(dataset: DatasetStatus) -> str:
    """When the latest file was turned back, the one the data is still built from."""
    accepted, latest = dataset.accepted, dataset.submission
    if not accepted or accepted is latest:
        return ""
    return f"<br><small>使用中: {escape(accepted.original_name)}（{escape(_when(accepted))}）</small>"


def _link(href: str | None, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>' if href else ""


def render_html(status: LibraryStatus, report_href: Any, ckan_url: str | None = None) -> str:
    """The page: one row per dataset, then each department's rejected submissions.

    report_href(path) turns a report file's path into a link the reader can open, or None.
    """
    stage_text = {
        "waiting": "提出待ち",
        "stored": "受付済み",
        "validated": "検証済み",
        "published": "公開中",
        "blocked": "停止中",
    }
    rows = []
    for dataset in status.datasets:
        submission, validation, publish = dataset.submission, dataset.validation, dataset.publish
        report = report_href(validation.report_html) if validation else None
        ckan_link = (publish.ckan_url if publish else None) or (
            f"{ckan_url.rstrip('/')}/dataset/{dataset.id}" if ckan_url and publish else None
        )
        publish_facts = ""
        if publish:
            version = str(publish.version or "")[:12]
            count = publish.rows
            publish_facts = f"版 {escape(version)}・{count:,}行" if isinstance(count, int) else f"版 {escape(version)}"
        rows.append(
            f'<tr class="stage-{dataset.stage}"><td><strong>{escape(dataset.title)}</strong>'
            f"<br><code>{escape(dataset.id)}</code></td>"
            f"<td>{escape(dataset.department_name)}</td>"
            f'<td><span class="badge">{stage_text[dataset.stage]}</span></td>'
            f"<td>{escape(_label(submission))}<br><small>{escape(_when(submission))}</small>"
            f"{'<br><small>' + escape(submission.original_name) + '</small>' if submission else ''}"
            f"{_in_use(dataset)}</td>"
            f"<td>{escape(_label(validation))}<br><small>{escape(_when(validation))}</small>"
            f"<br>{_link(report, '検証レポート')}</td>"
            f"<td>{escape(_label(publish))} {publish_facts}<br><small>{escape(_when(publish))}</small>"
            f"<br>{_link(ckan_link, 'CKANで見る')}{_failed_publish(dataset)}</td></tr>"
        )
    by_department: dict[str, list[Rejection]] = {}
    for rejection in status.rejections:
        by_department.setdefault(rejection.department_name, []).append(rejection)
    rejected_html = "".join(
        f"<h3>{escape(name)}</h3><ul>"
        + "".join(
            f"<li>{escape(r.file)}（{escape(_local_time(r.received_at))}、エラー{r.errors}件）"
            f" {_link(report_href(r.report_path), '確認結果レポート')}</li>"
            for r in rejections
        )
        + "</ul>"
        for name, rejections in sorted(by_department.items())
    )
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>オープンデータライブラリ - odl</title>
<style>
body {{ font-family: "Noto Sans CJK JP", "Hiragino Sans", sans-serif; margin: 1.5em; color: #222; }}
h1 {{ font-size: 1.5em; margin-bottom: .2em; }} .lead {{ color: #555; margin-top: 0; }}
table {{ border-collapse: collapse; width: 100%; max-width: 90em; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .45em .6em; text-align: left; vertical-align: top; }}
thead th {{ background: #f3f5f7; }} small {{ color: #666; }} code {{ color: #555; }}
.badge {{ display: inline-block; padding: .1em .6em; border-radius: 1em; background: #ddd; white-space: nowrap; }}
.stage-published .badge {{ background: #c8ecd0; }} .stage-blocked .badge {{ background: #f7c9c9; }}
.stage-validated .badge, .stage-stored .badge {{ background: #fdf0c4; }}
</style></head><body>
<h1>オープンデータライブラリ / Open Data Library</h1>
<p class="lead">ためる（受付）→ つなぐ（結合・検証）→ つくる（CKANで公開）の状況です。時刻は日本時間です。</p>
<table><thead><tr><th>データセット</th><th>担当部署</th><th>状況</th><th>最新の提出</th>
<th>最新の検証</th><th>最新の公開</th></tr></thead><tbody>{"".join(rows)}</tbody></table>
<h2>差し戻した提出ファイル</h2>
{rejected_html or "<p>差し戻したファイルはありません。</p>"}
</body></html>
"""
