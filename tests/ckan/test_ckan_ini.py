"""Rendering state/ckan.ini: secrets only in the rendered 0600 file, never in the template, stdout or logs."""

import configparser
import logging
from pathlib import Path

import pytest

from scripts import stack_ckan


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, str]:
    return stack_ckan._secrets(tmp_path)


def test_secrets_are_generated_once_and_private(tmp_path: Path, keys: dict[str, str]) -> None:
    assert stack_ckan._secrets(tmp_path) == keys
    assert (tmp_path / "ckan-secrets.json").stat().st_mode & 0o777 == 0o600
    assert len(set(keys.values())) == len(keys)


def test_render_fills_every_setting_and_leaks_nothing(
    tmp_path: Path, keys: dict[str, str], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        ini = stack_ckan.render_ini(tmp_path, keys)
    assert ini == tmp_path / "ckan.ini"
    assert ini.stat().st_mode & 0o777 == 0o600
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini, encoding="utf-8")
    app = parser["app:main"]
    assert app["ckan.site_url"] == "http://127.0.0.1:5000"
    assert "solr_url" not in app  # the odl_search plugin takes over search
    plugins = app["ckan.plugins"].split()
    assert {"datastore", "odl_search", "odl_datastore"} <= set(plugins)
    # odl_datastore's IDatastore hook rewrites the query the stock datastore plugin built: it must run after it.
    assert plugins.index("datastore") < plugins.index("odl_datastore")
    assert app["ckan.datastore.sqlsearch.enabled"] == "true"
    # Issue 15: limits behind the front door; anonymous callers see no users.
    assert plugins[-1] == "odl_api_limits"
    assert app["ckan.auth.public_user_details"] == "false"
    assert int(app["ckanext.odl.api.sql_timeout_ms"]) <= 5000
    assert int(app["ckan.datastore.search.rows_max"]) <= 5000
    assert app["USE_X_SENDFILE"] == "true"  # ckan/wsgi.py turns it into nginx's X-Accel-Redirect
    assert app["SECRET_KEY"] == keys["secret_key"]
    assert (
        app["api_token.jwt.encode.secret"] == app["api_token.jwt.decode.secret"] == f"string:{keys['api_token_secret']}"
    )
    assert app["sqlalchemy.url"] == f"postgresql://ckan_default:{keys['ckan_db_password']}@127.0.0.1:5432/ckan_default"
    assert app["ckan.datastore.write_url"].startswith("postgresql://ckan_default:")
    assert app["ckan.datastore.read_url"].startswith("postgresql://datastore_default:")
    assert app["ckan.datastore.write_url"].endswith(app["ckan.datastore.read_url"].rsplit("@", 1)[1])
    assert Path(app["ckan.storage_path"]).is_dir()
    assert app["ckan.redis.url"].startswith("redis://127.0.0.1:6379")
    assert "$" not in ini.read_text(encoding="utf-8").split("[app:main]", 1)[1]

    captured = capsys.readouterr()
    for secret in keys.values():
        assert secret not in captured.out + captured.err + caplog.text
        assert secret not in stack_ckan.TEMPLATE.read_text(encoding="utf-8")
    assert not any(secret in line for line in stack_ckan.status(tmp_path) for secret in keys.values())


def test_render_rewrites_only_on_change(tmp_path: Path, keys: dict[str, str]) -> None:
    ini = stack_ckan.render_ini(tmp_path, keys)
    first = ini.stat().st_mtime_ns
    stack_ckan.render_ini(tmp_path, keys)
    assert ini.stat().st_mtime_ns == first
