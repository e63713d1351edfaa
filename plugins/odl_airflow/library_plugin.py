"""The "Open Data Library / オープンデータライブラリ" page in the Airflow UI.

A FastAPI app on Airflow's API server (under /odl/) and an external view in the
navigation that shows it. Only signed-in Airflow users see it: rejected
submissions' reports quote departments' unpublished rows.
"""

from pathlib import Path
from typing import Any

from airflow.api_fastapi.core_api.security import get_user
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

URL_PREFIX = "/odl"
SERVED_SUFFIXES = (".html", ".json")

app = FastAPI(title="odl Open Data Library", dependencies=[Depends(get_user)])


def _data_root() -> Path:
    from transforms import settings

    return settings.data_root().resolve()


def _servable(target: Path) -> bool:
    """A report file under one of the served folders of the data root (symlinks resolved first)."""
    from transforms.data_layout import CURATED, QUARANTINE

    served_folders = (QUARANTINE, CURATED)  # the department reports and the validation reports
    resolved = target.resolve()
    try:
        relative = resolved.relative_to(_data_root())
    except ValueError:
        return False
    return len(relative.parts) > 1 and relative.parts[0] in served_folders and resolved.suffix in SERVED_SUFFIXES


def report_href(path: str | None) -> str | None:
    """A link relative to the page for a report under the data root, or None if it may not be served."""
    if not path or not _servable(Path(path)):
        return None
    return f"reports/{Path(path).resolve().relative_to(_data_root()).as_posix()}"


@app.get("/", response_class=HTMLResponse)
def library_page() -> str:
    from transforms.library import library_status, render_html

    return render_html(library_status(), report_href)


@app.get("/status.json")
def library_status_json() -> dict[str, Any]:
    from dataclasses import asdict

    from transforms.library import library_status

    status = library_status()
    return {
        "datasets": [asdict(d) | {"stage": d.stage} for d in status.datasets],
        "rejections": [asdict(r) for r in status.rejections],
    }


@app.get("/reports/{path:path}")
def report_file(path: str) -> FileResponse:
    target = _data_root() / path
    if not _servable(target) or not target.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(target.resolve())


class OdlLibraryPlugin(AirflowPlugin):
    # Airflow's plugin interface is these class attributes.
    name = "odl_library"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "odl Open Data Library"}]  # noqa: RUF012
    external_views = [  # noqa: RUF012
        {
            "name": "Open Data Library / オープンデータライブラリ",
            "href": "odl/",  # relative: the UI resolves it against its own base URL
            "destination": "nav",
            "url_route": "open-data-library",
        }
    ]
