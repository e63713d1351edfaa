"""Rebuild every published dataset on an empty (or damaged) CKAN from the data folder alone: `odl restore`.

The disaster-recovery drill, when CKAN's database and the DataStore database are lost:

1. `scripts/stack up` makes an empty CKAN again (db init, activity migration, DataStore permissions,
   sysadmin, a new API token, the Airflow Connections with it);
2. `odl restore` publishes, for every dataset in the publish ledger, the version CKAN served after its
   last publish or rollback — from its curated file, or built again from the raw submissions the
   connect ledger names (checked against the version's content hash) — with the changelog the ledger
   kept and the time it was published.

Each dataset goes through the publisher (transforms.publish.publisher), so a restore is as safe to repeat
as a publish: on a catalog that serves everything already it writes nothing, and one cut short is finished
by running it again. What the data folder does not hold cannot come back: see NOT_RESTORED.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from transforms.connect.builders import transform_of
from transforms.connect.tables import content_version, curated_dtypes, write_parquet
from transforms.contracts import PublishedContract, load_published_contracts
from transforms.data_layout import CONNECT_RUNS, PUBLISHES, DataLayout, PublishFailure, PublishLine
from transforms.files import locked
from transforms.publish import changelog, tables
from transforms.publish.ckan_client import CkanError
from transforms.publish.datastore import PREVIOUS, DatastoreError
from transforms.publish.metadata import ROLE_DATASTORE
from transforms.publish.publisher import JST, PublishedBefore, Publisher, curated_version
from transforms.reference import load_municipalities

log = logging.getLogger(__name__)

RESTORED = "restored"  # a ledger line's outcome: CKAN had lost the version and serves it again
NOTE = "復元"  # the changelog note when CKAN named another version than the ledger's (a real change)
SERVING = ("published", "unchanged", "rolled_back", RESTORED)  # outcomes after which CKAN serves `version`

# (Japanese, English) of what a restore cannot bring back, printed after every restore and in the README.
NOT_RESTORED = (
    ("CKANの活動履歴（アクティビティ）", "CKAN's activity streams"),
    ("閲覧数などの利用統計", "page view counts and other tracking"),
    ("スタック以外の利用者アカウントとAPIトークン", "user accounts other than the stack's sysadmin, and API tokens"),
    (
        "リソースIDとデータセットID（新しいIDになります。データセットのURLは名前なので変わりません）",
        "resource and dataset ids (new ones; dataset URLs use names and stay the same)",
    ),
    (
        "前の版のファイルがない場合、ロールバック用の前の版のDataStore表（次の公開から再び保持されます）",
        "the DataStore table kept for rollback, when the previous version's file is gone (kept from the next publish)",
    ),
)


@dataclass(frozen=True)
class ServedVersion:
    """What the publish ledger says CKAN served of one dataset, and how that came about."""

    dataset: str
    version: str
    rows: int | None
    before: PublishedBefore


@dataclass(frozen=True)
class Planned:
    """One dataset to restore: its version and where its rows come from ("" and a problem when nowhere)."""

    served: ServedVersion
    source: str  # curated | raw | ""
    problem: str = ""  # Japanese, then English, when it cannot be restored


@dataclass
class Outcome:
    dataset: str
    version: str
    rows: int | None
    outcome: str  # restored | unchanged | failed | planned
    source: str = ""
    changelog_entries: int = 0
    problem: str = ""


@dataclass
class RestoreReport:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.outcome == "failed"]

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)


def has_publish_ledger(data_root: Path) -> bool:
    return DataLayout(data_root).ledger_file(PUBLISHES).is_file()


def _quiet(outcome: "Outcome") -> None:
    pass


def served_versions(layout: DataLayout) -> dict[str, ServedVersion]:
    """Per dataset, the version the ledger says CKAN serves, with its changelog (newest first) and publication time.

    The changelog is every entry the ledger kept since the dataset was last published anew (an entry with no
    previous version), as the publisher builds it on CKAN; failures changed nothing CKAN served.
    """
    served: dict[str, PublishLine] = {}
    history: dict[str, list[changelog.Change]] = {}
    for line in layout.read(PUBLISHES):
        if not isinstance(line, PublishLine) or line.outcome not in SERVING or not line.version:
            continue
        served[line.dataset] = line
        if line.change:
            change = changelog.Change(**line.change)
            history[line.dataset] = (
                [change] if change.previous_version is None else [change, *history.get(line.dataset, [])]
            )
    result = {}
    for dataset, line in served.items():
        entries = history.get(dataset, [])[: changelog.KEEP_ENTRIES]
        published_at = entries[0].published_at if entries and entries[0].version == line.version else line.time
        result[dataset] = ServedVersion(dataset, str(line.version), line.rows, PublishedBefore(published_at, entries))
    return result


def plan(data_root: Path | None = None, catalog_dir: Path | None = None) -> list[Planned]:
    """What a restore would publish, from the data folder only (CKAN is not asked)."""
    layout = DataLayout.at(data_root)
    contracts = load_published_contracts(catalog_dir)
    planned = []
    for dataset, served in sorted(served_versions(layout).items()):
        if dataset not in contracts:
            problem = f"データセットの定義がありません / no contract named {dataset} in the catalog"
            planned.append(Planned(served, "", problem))
        elif curated_version(dataset, served.version, layout.root) is not None:
            planned.append(Planned(served, "curated"))
        elif _raw_inputs(layout, dataset, served.version) is not None:
            planned.append(Planned(served, "raw"))
        else:
            problem = (
                f"版 {served.version} の curated ファイルも、その元の raw ファイルもありません"
                f" / neither curated/{dataset}/{served.version}.parquet nor the raw files it was built from exist"
            )
            planned.append(Planned(served, "", problem))
    return planned


def _raw_inputs(layout: DataLayout, dataset: str, version: str) -> dict[str, Path] | None:
    """The raw files the connect run that made this version read, when they are all still there."""
    for run in reversed(layout.read(CONNECT_RUNS)):
        if run.dataset == dataset and run.version == version and run.inputs:
            files = {name: layout.raw_file(name, sha256) for name, sha256 in run.inputs.items()}
            if all(path.exists() for path in files.values()):
                return files
    return None


def curated_file(layout: DataLayout, contract: PublishedContract, version: str, catalog_dir: Path | None) -> Path:
    """The version's curated file; when it was lost, built again from its raw inputs as connect built it.

    A rebuilt table is kept under curated/ only if its content hash is the version: then it is the very table
    connect validated, and validation is not run again.
    """
    kept = curated_version(contract.id, version, layout.root)
    if kept is not None:
        return kept.path
    files = _raw_inputs(layout, contract.id, version)
    if files is None:
        raise FileNotFoundError(f"{contract.id}: the raw files version {version} was built from are gone")
    built = transform_of(contract)(
        contract, {name: pd.read_parquet(path) for name, path in files.items()}, load_municipalities(catalog_dir)
    )
    table = curated_dtypes(built.table, contract)
    if content_version(table) != version:
        raise tables.CuratedDataError(
            f"{contract.id}: the raw files now build version {content_version(table)}, not {version}"
            " (the contract, the reference data or those files changed since)"
        )
    path = layout.curated_file(contract.id, version)
    write_parquet(table, contract, path)
    return path


def restore(publisher: Publisher, *, progress: Callable[[Outcome], None] = _quiet) -> RestoreReport:
    """Publish every dataset's served version on the publisher's CKAN; one ledger line per dataset written to."""
    layout = DataLayout.at(publisher.data_root)
    contracts = load_published_contracts(publisher.catalog_dir)
    report = RestoreReport()
    for planned in plan(publisher.data_root, publisher.catalog_dir):
        outcome = _outcome(planned)
        if not planned.problem:
            _restore_one(publisher, layout, contracts[planned.served.dataset], planned.served, outcome)
        report.outcomes.append(outcome)
        progress(outcome)
    return report


def dry_run(
    data_root: Path | None = None, catalog_dir: Path | None = None, *, progress: Callable[[Outcome], None] = _quiet
) -> RestoreReport:
    """What `restore` would publish, from the data folder only: nothing is written and CKAN is not asked."""
    report = RestoreReport([_outcome(planned) for planned in plan(data_root, catalog_dir)])
    for outcome in report.outcomes:
        progress(outcome)
    return report


def _outcome(planned: Planned) -> Outcome:
    served = planned.served
    return Outcome(
        served.dataset,
        served.version,
        served.rows,
        "failed" if planned.problem else "planned",
        planned.source,
        len(served.before.history),
        planned.problem,
    )


def _restore_one(
    publisher: Publisher, layout: DataLayout, contract: PublishedContract, served: ServedVersion, outcome: Outcome
) -> None:
    """Publish one served version (its rows from curated/ or built again from raw/) and file the outcome."""
    try:
        with locked(layout.publish_lock(contract.id)):  # as a publish or rollback holds it
            path = curated_file(layout, contract, served.version, publisher.catalog_dir)
            typed = tables.read_curated(path, contract)
            result = publisher.publish_table(contract, served.version, typed, note=NOTE, restored=served.before)
            if result.outcome != "unchanged":
                _keep_previous_for_rollback(publisher, layout, contract, served, result.resource_ids[ROLE_DATASTORE])
    except (CkanError, DatastoreError, tables.CuratedDataError, pa.ArrowException, OSError) as error:
        log.warning("%s: not restored: %s", contract.id, error)
        outcome.outcome, outcome.problem = "failed", f"復元できませんでした / not restored: {error}"[:500]
        layout.append(
            PUBLISHES,
            PublishFailure(
                dataset=contract.id,
                version=served.version,
                ckan_url=publisher.dataset_url(contract.id),
                time=_now(),
                finished_at=_now(),
                error=outcome.problem,
            ),
        )
        return
    outcome.rows = result.rows
    if result.outcome == "unchanged":
        outcome.outcome = "unchanged"
        return
    outcome.outcome = RESTORED
    finished = _now()
    layout.append(
        PUBLISHES,
        PublishLine(
            dataset=contract.id,
            version=result.version,
            rows=result.rows,
            outcome=RESTORED,
            ckan_url=result.ckan_url,
            time=finished,
            finished_at=finished,
            seconds=round(result.seconds, 2),
            change=result.change,  # None unless CKAN named another version: then the restore is a real change
        ),
    )


def _keep_previous_for_rollback(
    publisher: Publisher, layout: DataLayout, contract: PublishedContract, served: ServedVersion, datastore_id: str
) -> None:
    """The version served before this one, kept behind the live table as a publish keeps it, so that
    `odl rollback` works after a restore: loaded, then swapped back behind the served version.

    Readers see that older version between the two steps (well under a second for small tables). Skipped when
    its rows are gone or no longer fit the contract: rollback refuses another shape anyway.
    """
    newest = served.before.history[0] if served.before.history else None
    previous = newest.previous_version if newest and newest.version == served.version else None
    held = publisher.loader.version(datastore_id, PREVIOUS)
    if previous is None or (held is not None and held.version == previous):
        return
    try:
        typed = tables.read_curated(curated_file(layout, contract, previous, publisher.catalog_dir), contract)
    except (FileNotFoundError, tables.CuratedDataError, pa.ArrowException) as lost:
        log.warning("%s: version %s is not kept for rollback: %s", contract.id, previous, lost)
        return
    publisher.loader.load(datastore_id, tables.copy_chunks(typed), previous, columns=contract.column_names)
    publisher.loader.rollback(datastore_id)


def _now() -> str:
    return datetime.now(JST).isoformat(timespec="seconds")


# --- what `odl restore` prints ---------------------------------------------------------------------

_SAID = {
    "planned": ("復元予定", "would restore"),
    RESTORED: ("復元しました", "restored"),
    "unchanged": ("変更なし（公開済み）", "unchanged, already served"),
    "failed": ("復元できません", "cannot restore"),
}
_SOURCE = {"curated": "curated", "raw": "raw から再構築 / rebuilt from raw"}


def outcome_line(outcome: Outcome) -> str:
    japanese, english = _SAID[outcome.outcome]
    rows = f"{outcome.rows:,}件" if outcome.rows is not None else "-"
    line = f"{outcome.dataset:32} 版 {outcome.version[:12]:12} {rows:>10}  {japanese} / {english}"
    if outcome.outcome in ("planned", RESTORED):
        line += f"  [{_SOURCE.get(outcome.source, outcome.source)}; 更新履歴 {outcome.changelog_entries} 件]"
    if outcome.problem:
        line += f"\n    {outcome.problem}"
    return line


def print_outcome(outcome: Outcome) -> None:
    """One dataset's line on stdout, as the restore goes."""
    print(outcome_line(outcome), flush=True)


def summary_lines(report: RestoreReport, *, dry_run: bool) -> list[str]:
    """The closing lines: counts in Japanese and English, then what a restore cannot bring back."""
    if dry_run:
        counts = [
            f"復元予定 {report.count('planned')}、復元できない {report.count('failed')}（試行のみ。何も書いていません）",
            f"would restore {report.count('planned')}, cannot restore {report.count('failed')} (dry run: nothing written)",
        ]
    else:
        restored, unchanged, failed = report.count(RESTORED), report.count("unchanged"), report.count("failed")
        counts = [
            f"復元 {restored}、変更なし {unchanged}、失敗 {failed}",
            f"restored {restored}, unchanged {unchanged}, failed {failed}",
        ]
    lost = ["データフォルダーにないため戻らないもの / not restored, the data folder does not hold them:"]
    lost += [f"  - {japanese} / {english}" for japanese, english in NOT_RESTORED]
    return [*counts, *lost]
