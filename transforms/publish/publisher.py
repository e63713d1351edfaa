"""Publish a curated version to CKAN, or roll a dataset back: what `odl publish` and the create DAGs run.

The order makes every step safe to repeat after a crash or a CKAN outage:

1. the organization, then the dataset (created without a version the first time);
2. the DataStore resource and its table (`datastore_create` through the API: Japanese column ids,
   primary key, data dictionary), only when missing or different from the contract;
3. the rows, by the bulk loader (COPY, then an atomic swap), unless the live table holds this version;
4. the CSV and Parquet downloads, unless they already are this version;
5. the dataset metadata last — version, coverage, changelog — so the page names a version only
   once all of it is served.

Before any write, everything is compared with what CKAN has: the same version published again
writes nothing (resource ids and `metadata_modified` stay as they are).
"""

import json
import logging
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from transforms.contracts import Department, PublishedContract, load_departments, load_published_contracts
from transforms.data_layout import PUBLISHES, DataLayout, PublishFailure, PublishLine
from transforms.files import locked, write_atomically
from transforms.publish import changelog, metadata, tables
from transforms.publish.ckan_client import CkanClient, CkanError
from transforms.publish.datastore import LIVE, PREVIOUS, DatastoreLoader, LoadResult, TableShape, TableVersion
from transforms.reference import load_municipalities

log = logging.getLogger(__name__)

JST = timezone(timedelta(hours=9), "JST")
FILE_ROLES = (metadata.ROLE_CSV, metadata.ROLE_PARQUET)
# How a resource's DataStore table differs from its contract.
SAME, DICTIONARY, SHAPE, MISSING = "same", "dictionary", "shape", "missing"


class CuratedNotFound(FileNotFoundError):
    """No curated version of the dataset to publish (connect has not produced one yet)."""


@dataclass(frozen=True)
class CuratedVersion:
    dataset: str
    version: str
    rows: int
    path: Path


@dataclass
class PublishResult:
    dataset: str
    version: str
    rows: int
    outcome: str  # published | unchanged | rolled_back
    ckan_url: str
    resource_ids: dict[str, str] = field(default_factory=dict)
    change: dict[str, Any] | None = None
    seconds: float = 0.0
    loaded_rows_per_s: float | None = None


@dataclass(frozen=True)
class PublishedBefore:
    """How a version was published before CKAN lost the dataset, as the publish ledger tells it (`odl restore`)."""

    published_at: str
    history: list[changelog.Change]  # newest first; this version's own entry is the first


@dataclass(frozen=True)
class _CkanState:
    """What CKAN has of a dataset before a publish writes anything."""

    package: dict[str, Any] | None
    resources: dict[str, dict[str, Any]]  # by odl_role
    datastore_id: str | None
    live: TableVersion | None  # the version the live DataStore table holds
    difference: str  # how that table differs from the contract: SAME, DICTIONARY, SHAPE or MISSING

    def serves(self, contract: PublishedContract, version: str, desired: dict[str, Any]) -> bool:
        """Whether CKAN already serves this version as desired: the table, every resource and the metadata."""
        if not self.package:
            return False
        return (
            self.difference == SAME
            and self.live is not None
            and self.live.version == version
            and self.live.search  # a table loaded before issue 14 is loaded again, with the search columns
            and all(
                self.resources.get(role, {}).get("odl_version") == version for role in metadata.resource_specs(contract)
            )
            and metadata.comparable(self.package) == metadata.comparable(desired)
        )


VERSION_PATTERN = re.compile(r"[0-9a-f]{16}")  # connect's content hash


def latest_curated(dataset: str, data_root: Path | None = None) -> CuratedVersion:
    """The version `data/curated/<dataset>/latest.json` names."""
    layout = DataLayout.at(data_root)
    pointer = layout.curated_latest(dataset)
    try:
        latest = json.loads(pointer.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CuratedNotFound(f"{dataset}: no curated version yet ({pointer})") from None
    version = str(latest["version"])
    # `path` may be absolute or relative to the data root; the version's file name is the fallback.
    named = Path(latest.get("path") or f"{version}.parquet")
    candidates = [named, layout.root / named, layout.curated_file(dataset, version)]
    path = next((candidate for candidate in candidates if candidate.is_absolute() and candidate.exists()), None)
    if path is None:
        raise CuratedNotFound(f"{dataset}: curated version {version} is named in latest.json but its file is missing")
    return CuratedVersion(dataset, version, int(latest.get("rows") or 0), path)


def curated_version(dataset: str, version: str, data_root: Path | None = None) -> CuratedVersion | None:
    """The kept file of a version CKAN names; anything but a content hash (an edited field) names no file."""
    if not VERSION_PATTERN.fullmatch(version):
        return None
    path = DataLayout.at(data_root).curated_file(dataset, version)
    return CuratedVersion(dataset, version, 0, path) if path.exists() else None


def _now() -> str:
    return datetime.now(JST).isoformat(timespec="seconds")


class Publisher:
    """Publishes contracts' curated versions to one CKAN and its DataStore."""

    def __init__(
        self,
        ckan: CkanClient,
        loader: DatastoreLoader,
        *,
        name_prefix: str = "",
        catalog_dir: Path | None = None,
        data_root: Path | None = None,
    ) -> None:
        self.ckan = ckan
        self.loader = loader
        self.name_prefix = name_prefix
        self.catalog_dir = catalog_dir
        self.data_root = data_root
        self.departments: dict[str, Department] = load_departments(catalog_dir)
        self._municipality_codes: set[str] | None = None

    def dataset_name(self, contract: PublishedContract) -> str:
        return f"{self.name_prefix}{contract.id}"

    def dataset_url(self, dataset: str) -> str:
        """The CKAN page of a dataset, by contract id."""
        return self.ckan.dataset_url(f"{self.name_prefix}{dataset}")

    def organization_name(self, department: Department) -> str:
        return f"{self.name_prefix}{department.id}"

    def municipality_codes(self) -> set[str]:
        if self._municipality_codes is None:
            self._municipality_codes = set(load_municipalities(self.catalog_dir).codes)
        return self._municipality_codes

    # --- publish -------------------------------------------------------------------------------

    def publish(self, contract: PublishedContract, curated: CuratedVersion, *, force: bool = False) -> PublishResult:
        typed = tables.read_curated(curated.path, contract)
        return self.publish_table(contract, curated.version, typed, force=force)

    def publish_table(
        self,
        contract: PublishedContract,
        version: str,
        typed: pa.Table,
        *,
        force: bool = False,
        note: str = "",
        restored: PublishedBefore | None = None,
    ) -> PublishResult:
        """Publish one version in the five steps of the module docstring, each skipped where CKAN has its part.

        restored: when CKAN names no version of the dataset, it gets this changelog and publication time
        instead of a new "新規公開" entry (a restore after the catalog was lost).
        """
        started = time.perf_counter()
        name = self.dataset_name(contract)
        organization = self._ensure_organization(self.departments[contract.department])
        before = self._ckan_state(contract)
        change, desired = self._desired_dataset(contract, typed, version, before, organization["id"], note, restored)
        if not force and before.serves(contract, version, desired):
            log.info("%s: version %s is already published; nothing written", name, version)
            resource_ids = {role: str(r["id"]) for role, r in before.resources.items()}
            return PublishResult(
                contract.id, version, typed.num_rows, "unchanged", self.ckan.dataset_url(name), resource_ids,
                seconds=time.perf_counter() - started,
            )  # fmt: skip

        package_id = self._ensure_dataset(name, before.package, desired)
        datastore_id, reshape = self._ensure_datastore_table(contract, before, package_id)
        load = self._load_rows(contract, typed, version, before, datastore_id, reshape, force=force)
        files = self._upload_files(contract, typed, version, package_id, before.resources, force=force)
        self._update_metadata(package_id, desired)

        seconds = time.perf_counter() - started
        log.info("%s: version %s published (%s rows, %.1fs)", name, version, typed.num_rows, seconds)
        return PublishResult(
            contract.id,
            version,
            typed.num_rows,
            "published",
            self.ckan.dataset_url(name),
            {metadata.ROLE_DATASTORE: datastore_id, **files},
            asdict(change) if change else None,
            seconds,
            round(load.rows / load.seconds) if load and load.seconds else None,
        )

    def _ckan_state(self, contract: PublishedContract) -> _CkanState:
        """What CKAN has of the dataset now; only reads."""
        package = self.ckan.show("package_show", id=self.dataset_name(contract))
        resources = _by_role(package)
        datastore_id = resources.get(metadata.ROLE_DATASTORE, {}).get("id")
        if not datastore_id:
            return _CkanState(package, resources, None, None, MISSING)
        live = self.loader.version(str(datastore_id))
        return _CkanState(
            package, resources, str(datastore_id), live, self._datastore_difference(str(datastore_id), contract)
        )

    def _ensure_dataset(self, name: str, package: dict[str, Any] | None, desired: dict[str, Any]) -> str:
        """Step 1 (after the organization): the dataset's id; created without a version the first time."""
        if package is None:
            package = self.ckan.create(
                "package_create",
                {**desired, "version": ""},
                find_existing=lambda: self.ckan.show("package_show", id=name),
            )
        return str(package["id"])

    def _ensure_datastore_table(
        self, contract: PublishedContract, before: _CkanState, package_id: str
    ) -> tuple[str, TableShape | None]:
        """Step 2: the DataStore resource and its table as the contract says; returns its id and any new shape.

        New columns, types or key are not made here but built on the new table by the load, so they appear
        together with its rows.
        """
        if before.datastore_id is None:
            created = self.ckan.create(
                "datastore_create",
                {
                    "resource": {
                        "package_id": package_id,
                        **metadata.resource_specs(contract)[metadata.ROLE_DATASTORE],
                        "odl_role": metadata.ROLE_DATASTORE,
                    },
                    "fields": metadata.datastore_fields(contract),
                    "primary_key": list(contract.key),
                },
                find_existing=lambda: self._found_datastore_resource(package_id, contract),
            )
            return str(created["resource_id"]), None
        if before.difference in (DICTIONARY, MISSING):
            # Column comments only, or a table lost (deleted, restored without it): nothing served to keep.
            self._datastore_create(before.datastore_id, contract)
            return before.datastore_id, None
        if before.difference == SHAPE:
            return before.datastore_id, TableShape(metadata.datastore_fields(contract), list(contract.key))
        return before.datastore_id, None

    def _load_rows(
        self,
        contract: PublishedContract,
        typed: pa.Table,
        version: str,
        before: _CkanState,
        datastore_id: str,
        reshape: TableShape | None,
        *,
        force: bool,
    ) -> LoadResult | None:
        """Step 3: the rows by the bulk loader unless the live table holds this version; the resource names it."""
        load = None
        if force or reshape or before.live is None or before.live.version != version or not before.live.search:
            load = self.loader.load(
                datastore_id, tables.copy_chunks(typed), version, columns=contract.column_names, reshape=reshape
            )
        if reshape:
            self._datastore_create(datastore_id, contract)  # CKAN finds the table it would make: nothing to do
        if force or before.resources.get(metadata.ROLE_DATASTORE, {}).get("odl_version") != version:
            self.ckan.call(
                "resource_patch",
                {
                    "id": datastore_id,
                    **metadata.resource_specs(contract)[metadata.ROLE_DATASTORE],
                    "odl_version": version,
                    "odl_role": metadata.ROLE_DATASTORE,
                    "last_modified": datetime.now(JST).replace(tzinfo=None).isoformat(timespec="seconds"),
                },
            )
        return load

    def _update_metadata(self, package_id: str, desired: dict[str, Any]) -> None:
        """Step 5: the dataset metadata last, so the page names the version only once all of it is served."""
        current = self.ckan.call("package_show", {"id": package_id})
        if metadata.comparable(current) != metadata.comparable(desired):
            self.ckan.call("package_patch", {"id": package_id, **desired})

    def _ensure_organization(self, department: Department) -> dict[str, Any]:
        """Step 1: the department's organization, made or brought up to date; the dataset names its id."""
        desired = metadata.organization(department, self.organization_name(department))
        current = self.ckan.show("organization_show", id=desired["name"])
        if current is None:
            try:
                created: dict[str, Any] = self.ckan.create(
                    "organization_create",
                    desired,
                    find_existing=lambda: self.ckan.show("organization_show", id=desired["name"]),
                )
            except CkanError:
                # Two datasets of one department published at once both find no organization; the
                # second create is refused ("name in use") and the one the first made is the answer.
                made_meanwhile = self.ckan.show("organization_show", id=desired["name"])
                if made_meanwhile is None:
                    raise
                return made_meanwhile
            return created
        have = {
            "title": current.get("title"),
            "description": current.get("description"),
            "extras": {e["key"]: e["value"] for e in current.get("extras", [])},
        }
        want = {**desired, "extras": {e["key"]: e["value"] for e in desired["extras"]}}
        if have != {key: want[key] for key in have}:
            patched: dict[str, Any] = self.ckan.call("organization_patch", {"id": current["id"], **desired})
            return patched
        return current

    def _found_datastore_resource(self, package_id: str, contract: PublishedContract) -> dict[str, str] | None:
        """After a lost `datastore_create` answer: the resource CKAN made, finished the way that call finishes it.

        CKAN creates the resource, then marks it `url_type: datastore`, then creates the table (and marks it
        active); the answer may have been lost between any two, and the publish goes on to load into the table.
        """
        found = _by_role(self.ckan.show("package_show", id=package_id)).get(metadata.ROLE_DATASTORE)
        if found is None:
            return None
        resource_id = str(found["id"])
        if found.get("url_type") != "datastore":
            self.ckan.call("resource_patch", {"id": resource_id, "url_type": "datastore"})
        if not (found.get("datastore_active") and self._datastore_difference(resource_id, contract) == SAME):
            self._datastore_create(resource_id, contract)
        return {"resource_id": resource_id}

    def _datastore_create(self, resource_id: str, contract: PublishedContract) -> None:
        self.ckan.call(
            "datastore_create",
            {
                "resource_id": resource_id,
                "fields": metadata.datastore_fields(contract),
                "primary_key": list(contract.key),
                "delete_fields": True,
                "force": True,
            },
        )

    def _datastore_difference(self, resource_id: str, contract: PublishedContract) -> str:
        """How the live table differs from the contract: SAME, DICTIONARY (labels, notes), SHAPE (columns, key), MISSING."""
        info = self.ckan.show("datastore_info", id=resource_id)
        if info is None:
            return MISSING
        have = [
            {
                "id": f["id"],
                "type": f["type"],
                "info": {k: f.get("info", {}).get(k, "") for k in ("label", "notes", "type_override")},
            }
            for f in info.get("fields", [])
        ]
        want = metadata.datastore_fields(contract)
        if [(f["id"], f["type"]) for f in have] != [(f["id"], f["type"]) for f in want]:
            return SHAPE
        if self.loader.unique_key(resource_id) != sorted(contract.key):
            return SHAPE
        return SAME if have == want else DICTIONARY

    def _change(
        self,
        contract: PublishedContract,
        typed: pa.Table,
        version: str,
        previous_version: str | None,
        published_at: str,
        datastore_id: str | None,
        note: str,
    ) -> changelog.Change:
        old = self._version_data(contract, previous_version, datastore_id) if previous_version else None
        counts: tuple[int | None, int | None, int | None] = (
            (typed.num_rows, 0, 0) if not previous_version else (None, None, None)
        )
        if old is not None:
            counts = changelog.compare(old, typed, contract)
        return changelog.Change(
            version=version,
            previous_version=previous_version,
            published_at=published_at,
            rows=typed.num_rows,
            added=counts[0],
            removed=counts[1],
            changed=counts[2],
            note=note or ("新規公開" if not previous_version else ""),
        )

    def _version_data(self, contract: PublishedContract, version: str, datastore_id: str | None) -> pa.Table | None:
        """A version's rows: its curated file if kept, else the DataStore table that holds it.

        Columns the contract has gained since that version are empty; None if it cannot be read at all.
        """
        try:
            kept = curated_version(contract.id, version, self.data_root)
            if kept is not None:
                return _with_missing_columns(pq.read_table(kept.path), contract)
            if datastore_id:
                for schema in (LIVE, PREVIOUS):
                    held = self.loader.version(datastore_id, schema)
                    if held is not None and held.version == version:
                        return self._dump(contract, datastore_id, schema)
        except (tables.CuratedDataError, pa.ArrowException) as error:
            log.warning("%s: version %s cannot be compared with the new one: %s", contract.id, version, error)
        return None

    def _dump(self, contract: PublishedContract, datastore_id: str, schema: str) -> pa.Table:
        held = set(self.loader.columns(datastore_id, schema))
        columns = [name for name in contract.column_names if name in held]
        data = self.loader.dump_csv(datastore_id, columns, schema)
        options = pacsv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string()))
        return _with_missing_columns(pacsv.read_csv(pa.BufferReader(data), convert_options=options), contract)

    def _desired_dataset(
        self,
        contract: PublishedContract,
        typed: pa.Table,
        version: str,
        before: _CkanState,
        owner_org: str,
        note: str,
        restored: PublishedBefore | None = None,
    ) -> tuple[changelog.Change | None, dict[str, Any]]:
        """The dataset's metadata for this version, and its changelog entry when CKAN names another version."""
        department = self.departments[contract.department]
        previous_version = (before.package or {}).get("version") or None
        extras = {e["key"]: e["value"] for e in (before.package or {}).get("extras", [])}
        history = changelog.entries(extras.get("odl_changelog"))
        change = None
        published_at = extras.get("published_at") or _now()
        if restored is not None and previous_version is None:
            history, published_at = restored.history, restored.published_at
        elif previous_version != version:
            published_at = _now()
            change = self._change(contract, typed, version, previous_version, published_at, before.datastore_id, note)
            history = [change, *history]
        cover = metadata.coverage(typed, contract, self.municipality_codes())
        extra_values = metadata.extras(
            contract,
            department,
            cover,
            rows=typed.num_rows,
            published_at=published_at,
            changelog_json=changelog.dump(history),
        )
        notes = metadata.notes(contract, department, changelog.render_markdown(history))
        return change, metadata.dataset(
            contract,
            department,
            name=self.dataset_name(contract),
            owner_org=owner_org,
            version=version,
            notes_text=notes,
            extra_values=extra_values,
        )

    def _upload_files(
        self,
        contract: PublishedContract,
        typed: pa.Table,
        version: str,
        package_id: str,
        resources: dict[str, dict[str, Any]],
        *,
        force: bool,
    ) -> dict[str, str]:
        """Step 4: the CSV and Parquet downloads, unless they already are this version; their ids by role."""
        ids = {}
        specs = metadata.resource_specs(contract)
        with tempfile.TemporaryDirectory(prefix="odl-publish-") as work:
            for role in FILE_ROLES:
                current = resources.get(role)
                if current and current.get("odl_version") == version and not force:
                    ids[role] = str(current["id"])
                    continue
                if role == metadata.ROLE_CSV:
                    path = tables.write_csv(typed, Path(work) / f"{contract.id}.csv")
                else:
                    path = tables.write_parquet(typed, contract, Path(work) / f"{contract.id}.parquet")
                fields = {**specs[role], "odl_role": role, "odl_version": version}
                if current:
                    result = self.ckan.call("resource_patch", {"id": current["id"], **fields}, uploads={"upload": path})
                else:
                    result = self.ckan.create(
                        "resource_create",
                        {"package_id": package_id, **fields},
                        uploads={"upload": path},
                        find_existing=partial(self._found_file_resource, package_id, role, fields, path),
                    )
                ids[role] = str(result["id"])
        return ids

    def _found_file_resource(
        self, package_id: str, role: str, fields: dict[str, str], path: Path
    ) -> dict[str, Any] | None:
        """After a lost `resource_create` answer: the resource CKAN made for the role, given the file again.

        The lookup cannot see whether this attempt's upload is the file the resource holds, nor tell it from an
        older resource of the role; patching the file and this version's fields (safe to repeat) settles both.
        """
        found = _by_role(self.ckan.show("package_show", id=package_id)).get(role)
        if found is None:
            return None
        patched: dict[str, Any] = self.ckan.call(
            "resource_patch", {"id": found["id"], **fields}, uploads={"upload": path}
        )
        return patched

    # --- rollback ------------------------------------------------------------------------------

    def rollback(self, contract: PublishedContract) -> PublishResult:
        """Serve the previous version again: DataStore by swap, then downloads and metadata for that version."""
        name = self.dataset_name(contract)
        package = self.ckan.show("package_show", id=name)
        datastore_id = _by_role(package).get(metadata.ROLE_DATASTORE, {}).get("id")
        if not datastore_id:
            raise LookupError(f"{name} is not published: nothing to roll back")
        # A rollback cut short after its swap is finished, not swapped back, when run again.
        marker = DataLayout.at(self.data_root).rollback_marker(contract.id)
        live = self.loader.version(str(datastore_id))
        begun = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
        shown = (package or {}).get("version")
        if live is not None and begun.get("to") == live.version and shown in (begun.get("from"), live.version):
            restored = live
        else:
            previous = self.loader.version(str(datastore_id), PREVIOUS)
            if previous is not None:
                write_atomically(marker, json.dumps({"from": shown, "to": previous.version}).encode())
            try:
                restored = self.loader.rollback(str(datastore_id))
            except Exception:
                marker.unlink(missing_ok=True)  # the swap did not happen (refused, or rolled back)
                raise
        kept = curated_version(contract.id, restored.version, self.data_root)
        typed = tables.read_curated(kept.path, contract) if kept else self._dump(contract, str(datastore_id), LIVE)
        result = self.publish_table(contract, restored.version, typed, note="ロールバック")
        marker.unlink(missing_ok=True)
        result.outcome = "rolled_back"
        return result


def _with_missing_columns(table: pa.Table, contract: PublishedContract) -> pa.Table:
    """Typed by the contract; the columns it added after this table was made are nulls."""
    for name in contract.column_names:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows))
    return tables.typed_table(table, contract)


def _by_role(package: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {r["odl_role"]: r for r in (package or {}).get("resources", []) if r.get("odl_role")}


# --- entry points for the CLI and the DAG tasks ---------------------------------------------------


def _ledger_line(result: PublishResult) -> PublishLine:
    finished = _now()
    return PublishLine(
        dataset=result.dataset,
        version=result.version,
        rows=result.rows,
        outcome=result.outcome,
        ckan_url=result.ckan_url,
        time=finished,
        finished_at=finished,
        seconds=round(result.seconds, 2),
        change=result.change,
    )


def publish_dataset(publisher: Publisher, dataset: str, *, force: bool = False) -> PublishResult:
    """Publish the latest curated version of one dataset and write the ledger line (also when it fails)."""
    contract = load_published_contracts(publisher.catalog_dir)[dataset]
    layout = DataLayout.at(publisher.data_root)
    curated: CuratedVersion | None = None
    try:
        # One publish or rollback of a dataset at a time, whether from a DAG run or `odl publish`.
        with locked(layout.publish_lock(dataset)):
            curated = latest_curated(dataset, publisher.data_root)
            result = publisher.publish(contract, curated, force=force)
            layout.rollback_marker(dataset).unlink(missing_ok=True)
    except Exception as error:
        layout.append(PUBLISHES, _failure(publisher, contract, curated.version if curated else None, error))
        raise
    layout.append(PUBLISHES, _ledger_line(result))
    return result


def rollback_dataset(publisher: Publisher, dataset: str) -> PublishResult:
    contract = load_published_contracts(publisher.catalog_dir)[dataset]
    layout = DataLayout.at(publisher.data_root)
    try:
        with locked(layout.publish_lock(dataset)):
            result = publisher.rollback(contract)
    except Exception as error:
        layout.append(PUBLISHES, _failure(publisher, contract, None, error))
        raise
    layout.append(PUBLISHES, _ledger_line(result))
    return result


def _failure(
    publisher: Publisher, contract: PublishedContract, version: str | None, error: Exception
) -> PublishFailure:
    finished = _now()
    return PublishFailure(
        dataset=contract.id,
        version=version,
        rows=None,
        ckan_url=publisher.ckan.dataset_url(publisher.dataset_name(contract)),
        time=finished,
        finished_at=finished,
        error=f"{type(error).__name__}: {error}"[:500],
    )


def environment_publisher(data_root: Path | None = None) -> Publisher:
    """The publisher `odl publish` and the demo use outside Airflow (ODL_CKAN_* or state/ckan.json)."""
    from transforms.publish.config import from_environment

    config = from_environment()
    return Publisher(
        CkanClient(config.url, config.api_token),
        DatastoreLoader(config.datastore_url),
        name_prefix=config.name_prefix,
        data_root=data_root,
    )
