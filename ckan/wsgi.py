"""WSGI entry point for CKAN under gunicorn: `gunicorn --chdir ckan wsgi:application` with CKAN_INI set.

`ckan run` is a file-watching reloader (slow start, changing PID), so the stack serves CKAN this way.

Behind odl's nginx (ckan/nginx, issue 15) two small layers wrap CKAN:
- ProxyFix trusts one proxy, so CKAN, its logs and gunicorn's access log see the client nginx saw;
- CKAN still decides who may download a file (a private dataset's file stays refused), but with
  `USE_X_SENDFILE` Flask only names the file; `NginxFiles` hands a file under the storage path to nginx
  (X-Accel-Redirect to its internal /_odl_storage/), so no CKAN thread is held while a client downloads.
  Without nginx in front (a request without X-Odl-Accel), the file is sent from here as before.
"""

import os
from collections.abc import Callable, Iterable
from logging.config import fileConfig
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app
from werkzeug.middleware.proxy_fix import ProxyFix

ACCEL_PREFIX = "/_odl_storage/"  # nginx's internal location for ckan.storage_path (ckan/nginx/odl.conf.template)
CHUNK = 256 * 1024


class NginxFiles:
    def __init__(self, app: Callable[..., Iterable[bytes]], storage_path: str) -> None:
        self.app = app
        self.storage = Path(storage_path).resolve()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # Ranges of a file are nginx's job (or, without nginx, the whole file is sent): CKAN answers in full.
        environ.pop("HTTP_RANGE", None)
        environ.pop("HTTP_IF_RANGE", None)
        behind_nginx = environ.get("HTTP_X_ODL_ACCEL") == "1"
        send_here: list[Path] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            named = [value for name, value in headers if name.lower() == "x-sendfile"]
            if not named:
                return start_response(status, headers, exc_info)
            headers = [(name, value) for name, value in headers if name.lower() != "x-sendfile"]
            path = Path(named[0]).resolve()
            if status.startswith("200"):
                if behind_nginx and path.is_relative_to(self.storage):
                    headers.append(("X-Accel-Redirect", ACCEL_PREFIX + quote(str(path.relative_to(self.storage)))))
                else:
                    send_here.append(path)
            return start_response(status, headers, exc_info)

        body = self.app(environ, start)
        if not send_here:
            return body
        if hasattr(body, "close"):
            body.close()
        return _chunks(send_here[0])


def _chunks(path: Path) -> Iterable[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


config_file = os.environ["CKAN_INI"]
fileConfig(config_file, disable_existing_loggers=False)
_config = CKANConfigLoader(config_file).get_config()
application = ProxyFix(NginxFiles(make_app(_config), _config["ckan.storage_path"]), x_for=1)
