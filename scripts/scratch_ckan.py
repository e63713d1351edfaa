"""A disposable CKAN beside the stack's, for tests that drop its databases: the stack's own code under other names.

scripts/stack_ckan.py keeps the names of its one site (ports, databases, roles, Redis database) as module
constants. A scratch site swaps them for the time of each call, so the very `up` that `scripts/stack up`
runs brings up — or brings back, after its databases were dropped — a CKAN that shares nothing with the
stack's: its own state folder, port, databases, roles and Redis database. Calls are not thread-safe (the
swap is process-wide); tests make them one at a time.
"""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts import stack_ckan
from scripts.services import run_sql


@dataclass(frozen=True)
class ScratchCkan:
    state_dir: Path
    port: int  # its front door (nginx); its two gunicorn pools listen on the next two ports
    ckan_db: str  # CKAN's database, owned by a login role of the same name (as the stack's)
    datastore_db: str  # the DataStore database; its read-only role has the same name
    redis_db: int  # the stack's CKAN uses 1

    def __post_init__(self) -> None:
        taken = (stack_ckan.CKAN_DB, stack_ckan.DATASTORE_DB)
        if self.ckan_db in taken or self.datastore_db in taken or stack_ckan.PORT in range(self.port, self.port + 3):
            raise ValueError("a scratch CKAN takes names and a port of its own, never the stack's")

    @property
    def url(self) -> str:
        return f"http://{stack_ckan.HOST}:{self.port}"

    def _names(self) -> dict[str, Any]:
        return {
            "PORT": self.port,
            "URL": self.url,
            "LIGHT_PORT": self.port + 1,
            "HEAVY_PORT": self.port + 2,
            "CKAN_DB": self.ckan_db,
            "CKAN_ROLE": self.ckan_db,
            "DATASTORE_DB": self.datastore_db,
            "DATASTORE_READ_ROLE": self.datastore_db,
            "REDIS_URL": f"redis://127.0.0.1:6379/{self.redis_db}",
        }

    @contextmanager
    def _as_this_site(self) -> Iterator[None]:
        names = self._names()
        gone = [name for name in names if not hasattr(stack_ckan, name)]
        if gone:  # stack_ckan was reshaped: swapping fewer names would touch the stack's own databases
            raise RuntimeError(f"scripts/stack_ckan.py no longer has {', '.join(gone)}: update scripts/scratch_ckan.py")
        kept = {name: getattr(stack_ckan, name) for name in names}
        try:
            for name, value in names.items():
                setattr(stack_ckan, name, value)
            yield
        finally:
            for name, value in kept.items():
                setattr(stack_ckan, name, value)

    def up(self) -> dict[str, str]:
        """stack_ckan.up for this site: url, api_token, datastore_write_url, … (idempotent, as the stack's)."""
        with self._as_this_site():
            return stack_ckan.up(self.state_dir)

    def answers(self) -> bool:
        with self._as_this_site():
            return stack_ckan.answers()

    def drop_databases(self) -> None:
        """The disaster: both databases gone, whoever is connected (CKAN keeps running)."""
        for database in (self.ckan_db, self.datastore_db):
            run_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def destroy(self) -> None:
        """Stop its CKAN, drop its databases and roles, delete its state folder."""
        with self._as_this_site():
            stack_ckan.down(self.state_dir.resolve())
        self.drop_databases()
        for role in (self.ckan_db, self.datastore_db):
            run_sql(f'DROP ROLE IF EXISTS "{role}"')
        shutil.rmtree(self.state_dir, ignore_errors=True)
