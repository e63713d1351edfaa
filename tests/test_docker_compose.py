"""docker-compose.yaml, the production shape, is valid and agrees with the code it runs.

No Docker engine is needed: Debian's docker-compose 1.29 validates the file and resolves it
(anchors, .env.example's values) with `config`; the checks below read that resolved form.
When docker-compose is missing it is installed with apt-get if we are root, else the tests skip.
"""

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from configparser import ConfigParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from odl_airflow import connections

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yaml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
AIRFLOW_DOCKERFILE = "docker/airflow.Dockerfile"
CKAN_DOCKERFILE = "ckan/Dockerfile"
POSTGRES_INIT = REPO_ROOT / "docker" / "postgres-init" / "10-odl-databases.sh"
CKAN_INI = REPO_ROOT / "ckan" / "docker" / "ckan.ini"
SOLR_DIR = REPO_ROOT / "ckan" / "solr"
INSTALLED_CKAN_SCHEMA = REPO_ROOT / ".venv-ckan/lib/python3.11/site-packages/ckan/config/solr/schema.xml"

# The ports the issue fixes, by the service that owns them.
# CKAN's public port belongs to nginx, its front door (issue 15); the CKAN pools are reached only inside.
PUBLISHED_PORTS = {"airflow-api-server": 8080, "nginx": 5000, "postgres": 5432, "redis": 6379, "solr": 8983}
# Backing services are for the stack and its administrators only: published on the host's loopback.
LOOPBACK_ONLY = {"postgres", "redis", "solr"}
# Values every Airflow service must share, or tokens, encrypted fields and task routing break.
SHARED_AIRFLOW_SETTINGS = (
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CORE__EXECUTOR",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "ODL_DATA_ROOT",
    "ODL_CATALOG_DIR",
)
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|FERNET")
# ${VAR}, ${VAR:-default}, ${VAR:?message}; $${VAR} is an escaped dollar for the container's shell.
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?([^}]*)\}")


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docker_compose() -> str:
    found = shutil.which("docker-compose")
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, timeout=600, env=env)
        subprocess.run(["apt-get", "install", "-y", "-q", "docker-compose"], capture_output=True, timeout=600, env=env)
        found = shutil.which("docker-compose")
    if not found:
        pytest.skip(
            "docker-compose is not installed and apt-get could not install it (needs root and Debian's archive)"
        )
    return found


def run_compose(docker_compose: str, env_file: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    # A bare environment: the shell's variables would override the env file's.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root")}
    command = [docker_compose, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", *args]
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def resolved(docker_compose: str) -> dict[str, Any]:
    """The compose file as docker-compose resolves it with .env.example."""
    result = run_compose(docker_compose, ENV_EXAMPLE)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


@pytest.fixture(scope="module")
def services(resolved: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(resolved["services"])


@pytest.fixture(scope="module")
def airflow_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {name: s for name, s in services.items() if s.get("build", {}).get("dockerfile") == AIRFLOW_DOCKERFILE}
    assert found, f"no service is built from {AIRFLOW_DOCKERFILE}"
    return found


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else list(command)


def service_running(services: dict[str, dict[str, Any]], *command: str) -> str:
    """The one service whose command starts with `command` (the image's entrypoint adds `airflow`)."""
    names = [name for name, s in services.items() if command_of(s)[: len(command)] == list(command)]
    assert len(names) == 1, f"expected one service running {' '.join(command)}, found {names}"
    return names[0]


def published_ports(service: dict[str, Any]) -> Iterator[tuple[str, int, int]]:
    """(host ip, published, target) of each port, from either form docker-compose prints."""
    for port in service.get("ports", []):
        if isinstance(port, dict):
            yield port.get("host_ip", ""), int(port["published"]), int(port["target"])
        else:
            *host, published, target = str(port).split("/")[0].split(":")
            yield (host[0] if host else ""), int(published), int(target)


def container_port(services: dict[str, dict[str, Any]], host: str) -> int:
    """The port a service listens on inside the network, as declared by its published (or exposed) port."""
    assert host in services, f"{host} is not a service"
    targets = {target for _, _, target in published_ports(services[host])} or {
        int(port) for port in services[host].get("expose", [])
    }
    assert len(targets) == 1, f"{host} publishes {targets}"
    return targets.pop()


def one_shot_services(services: dict[str, dict[str, Any]]) -> set[str]:
    return {
        dependency
        for service in services.values()
        for dependency, spec in (service.get("depends_on") or {}).items()
        if isinstance(spec, dict) and spec.get("condition") == "service_completed_successfully"
    }


def compose_interpolations() -> list[tuple[str, str, str]]:
    """(name, operator, default or message) of each variable the compose file interpolates."""
    lines = [line for line in COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#")]
    return INTERPOLATION.findall("\n".join(lines))


def env_example() -> dict[str, str]:
    pairs = (
        line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines() if re.match(r"^[A-Z_][A-Z0-9_]*=", line)
    )
    return {name: value for name, value in pairs}


def code_connection_ids() -> set[str]:
    return {value for name, value in vars(connections).items() if name.endswith("_CONN_ID")}


def declared_connection_ids(service: dict[str, Any]) -> set[str]:
    prefix = "AIRFLOW_CONN_"
    return {name.removeprefix(prefix).lower() for name in service["environment"] if name.startswith(prefix)}


# --- the file is valid, and its secrets come from the env file ----------------------------


def test_config_is_valid_with_env_example(docker_compose: str) -> None:
    result = run_compose(docker_compose, ENV_EXAMPLE, "-q")
    assert result.returncode == 0, result.stderr
    assert "is not set" not in result.stderr, result.stderr


def test_without_an_env_file_nothing_starts(docker_compose: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = run_compose(docker_compose, empty, "-q")
    assert result.returncode != 0
    assert "in .env" in result.stderr, result.stderr  # the ${VAR:?set VAR in .env} message


def test_secrets_are_required_and_never_defaulted() -> None:
    for name, operator, _ in compose_interpolations():
        if SECRET_NAME.search(name):
            assert operator == ":?", f"${{{name}}} must be required (:?), not defaulted or optional"
        else:
            assert operator in (":?", ":-"), f"${{{name}}} needs a default (:-) or a message (:?)"


def test_env_example_lists_exactly_the_variables_compose_uses() -> None:
    used = {name for name, _, _ in compose_interpolations()}
    listed = {name for name in env_example() if not name.startswith("COMPOSE_")}
    assert used == listed


def test_env_example_secrets_are_marked_to_change() -> None:
    for name, value in env_example().items():
        if SECRET_NAME.search(name):
            assert "change-me" in value, f"{name} in .env.example must be a change-me placeholder"


# --- Airflow ---------------------------------------------------------------------------------


def test_airflow_has_every_component(services: dict[str, dict[str, Any]], airflow_services: dict[str, Any]) -> None:
    roles = {
        service_running(airflow_services, *command)
        for command in (["scheduler"], ["dag-processor"], ["triggerer"], ["celery", "worker"])
    }
    api_server = next(
        name for name, s in airflow_services.items() if "exec airflow api-server" in " ".join(command_of(s))
    )
    init = next(name for name, s in airflow_services.items() if "airflow db migrate" in " ".join(command_of(s)))
    assert roles | {api_server, init} == set(airflow_services)
    for name in set(airflow_services) - {init}:
        assert airflow_services[name]["depends_on"][init]["condition"] == "service_completed_successfully", name


def test_every_airflow_service_shares_secrets_and_settings(airflow_services: dict[str, dict[str, Any]]) -> None:
    for setting in SHARED_AIRFLOW_SETTINGS:
        values = {name: s["environment"].get(setting) for name, s in airflow_services.items()}
        assert None not in values.values(), f"{setting} missing in {[n for n, v in values.items() if v is None]}"
        assert len(set(values.values())) == 1, f"{setting} differs between Airflow services: {values}"


def test_executor_is_celery_with_redis_and_postgres(
    services: dict[str, dict[str, Any]], airflow_services: dict[str, dict[str, Any]]
) -> None:
    env = next(iter(airflow_services.values()))["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    service_running(airflow_services, "celery", "worker")
    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert broker.scheme == "redis"
    assert (broker.hostname, broker.port) == ("redis", container_port(services, "redis"))
    backend = urlsplit(env["AIRFLOW__CELERY__RESULT_BACKEND"])
    metadata = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert backend.scheme == "db+postgresql"
    assert (backend.hostname, backend.port, backend.path) == (metadata.hostname, metadata.port, metadata.path)
    assert (metadata.hostname, metadata.port) == ("postgres", container_port(services, "postgres"))


def test_execution_api_url_points_at_the_api_server(
    services: dict[str, dict[str, Any]], airflow_services: dict[str, dict[str, Any]]
) -> None:
    url = urlsplit(next(iter(airflow_services.values()))["environment"]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
    assert url.hostname in airflow_services
    assert "api-server" in " ".join(command_of(airflow_services[url.hostname]))
    assert url.port == container_port(services, url.hostname)
    assert url.path == "/execution/"


def test_connection_ids_are_the_ones_the_code_uses(airflow_services: dict[str, dict[str, Any]]) -> None:
    ids = code_connection_ids()
    assert ids == {"ckan_default", "ckan_datastore"}
    for name, service in airflow_services.items():
        assert declared_connection_ids(service) == ids, name
    # Any conn id written out in a DAG or plugin must be one compose declares.
    literal = re.compile(r"\bconn_id\s*=\s*[\"']([^\"']+)[\"']")
    for path in [*(REPO_ROOT / "dags").rglob("*.py"), *(REPO_ROOT / "plugins").rglob("*.py")]:
        for conn_id in literal.findall(path.read_text()):
            assert conn_id in ids, f"{path.relative_to(REPO_ROOT)} uses Connection {conn_id!r}, not declared in compose"


def test_connections_parse_and_point_at_the_stack(
    monkeypatch: pytest.MonkeyPatch, services: dict[str, dict[str, Any]], airflow_services: dict[str, dict[str, Any]]
) -> None:
    from airflow.secrets.environment_variables import EnvironmentVariablesBackend

    env = next(iter(airflow_services.values()))["environment"]
    for conn_id in code_connection_ids():
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", env[f"AIRFLOW_CONN_{conn_id.upper()}"])
    backend = EnvironmentVariablesBackend()

    ckan = backend.get_connection(connections.CKAN_CONN_ID)
    assert ckan is not None
    assert (ckan.conn_type, ckan.schema) == ("http", "http")
    assert (ckan.host, ckan.port) == ("ckan", container_port(services, "ckan"))
    assert ckan.password == env_example()["CKAN_API_TOKEN"]

    # Airflow writes the DataStore as the same role, into the same database, as CKAN's write_url.
    datastore = backend.get_connection(connections.DATASTORE_CONN_ID)
    assert datastore is not None
    write_url = urlsplit(services["ckan"]["environment"]["CKAN_DATASTORE_WRITE_URL"])
    assert datastore.conn_type == "postgres"
    assert (datastore.host, datastore.port) == (write_url.hostname, write_url.port)
    assert (datastore.host, datastore.port) == ("postgres", container_port(services, "postgres"))
    assert (datastore.login, datastore.password) == (write_url.username, write_url.password)
    assert datastore.schema == write_url.path.lstrip("/")


def test_data_root_is_the_data_volume_in_every_airflow_service(
    monkeypatch: pytest.MonkeyPatch, resolved: dict[str, Any], airflow_services: dict[str, dict[str, Any]]
) -> None:
    from transforms import settings

    for name, service in airflow_services.items():
        mounts = {}
        for volume in service["volumes"]:
            source, target, *_ = volume.split(":") if isinstance(volume, str) else (volume["source"], volume["target"])
            mounts[target] = source
        data_root = service["environment"]["ODL_DATA_ROOT"]
        assert mounts.get(data_root) in resolved["volumes"], f"{name}: ODL_DATA_ROOT {data_root} is not a volume"
        # ... and it is the variable the code reads.
        monkeypatch.setenv("ODL_DATA_ROOT", data_root)
        monkeypatch.setenv("ODL_CATALOG_DIR", service["environment"]["ODL_CATALOG_DIR"])
        assert settings.data_root() == Path(data_root)
        assert settings.catalog_dir() == Path(service["environment"]["ODL_CATALOG_DIR"])
    dockerfile = (REPO_ROOT / AIRFLOW_DOCKERFILE).read_text()
    env = next(iter(airflow_services.values()))["environment"]
    assert f"ODL_DATA_ROOT={env['ODL_DATA_ROOT']}" in dockerfile
    assert f"ODL_CATALOG_DIR={env['ODL_CATALOG_DIR']}" in dockerfile


def test_airflow_image_is_the_lock_with_celery() -> None:
    lock = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", (REPO_ROOT / "requirements/airflow.lock").read_text(), re.M))
    assert {"apache-airflow-providers-celery", "redis", "celery"} <= set(lock)
    assert "requirements/airflow.lock\n" in (REPO_ROOT / AIRFLOW_DOCKERFILE).read_text()
    base = re.search(r"^FROM apache/airflow:(\S+)-python(\S+)$", (REPO_ROOT / AIRFLOW_DOCKERFILE).read_text(), re.M)
    assert base is not None
    assert base.group(1) == lock["apache-airflow"]
    assert base.group(2) == "3.11"


# --- ports, health, images ---------------------------------------------------------------------


def test_published_ports(services: dict[str, dict[str, Any]]) -> None:
    published = {name: list(published_ports(s)) for name, s in services.items() if s.get("ports")}
    assert set(published) == set(PUBLISHED_PORTS)
    for name, port in PUBLISHED_PORTS.items():
        assert [(p, t) for _, p, t in published[name]] == [(port, port)], name
        host_ips = {ip for ip, _, _ in published[name]}
        if name in LOOPBACK_ONLY:
            assert host_ips == {"127.0.0.1"}, f"{name} must be published on 127.0.0.1 only"


def test_every_long_running_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    one_shot = one_shot_services(services)
    assert {"airflow-init", "ckan-init"} <= one_shot
    for name, service in services.items():
        if name in one_shot:
            assert service.get("restart") == "no", f"{name} runs once; it must not restart"
            continue
        test = (service.get("healthcheck") or {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck"
        assert service.get("restart") == "unless-stopped", name
    # Nothing waits for the health of a service that reports none.
    for name, service in services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            if spec.get("condition") == "service_healthy":
                assert dependency not in one_shot, f"{name} waits for {dependency} to be healthy"


def test_built_images_copy_only_files_that_exist(services: dict[str, dict[str, Any]]) -> None:
    dockerfiles = set()
    for service in services.values():
        if "build" in service:
            context = Path(service["build"]["context"])
            dockerfiles.add((context, context / service["build"].get("dockerfile", "Dockerfile")))
    assert {path.relative_to(REPO_ROOT).as_posix() for _, path in dockerfiles} == {
        AIRFLOW_DOCKERFILE,
        CKAN_DOCKERFILE,
        "ckan/solr/Dockerfile",
    }
    for context, dockerfile in dockerfiles:
        for line in dockerfile.read_text().splitlines():
            words = line.split()
            if not words or words[0] != "COPY" or any(w.startswith("--from") for w in words):
                continue
            for source in [w for w in words[1:-1] if not w.startswith("--")]:
                assert (context / source).exists(), f"{dockerfile.relative_to(REPO_ROOT)}: COPY {source} is missing"


# --- CKAN, Solr, PostgreSQL --------------------------------------------------------------------


def test_ckan_ini_gets_every_value_it_needs_from_compose(services: dict[str, dict[str, Any]]) -> None:
    ini = ConfigParser(interpolation=None)
    ini.read(CKAN_INI)
    app = ini["app:main"]
    plugins = app["ckan.plugins"].split()
    assert {"activity", "datastore", "odl_search", "odl_datastore"} <= set(plugins)
    assert plugins.index("datastore") < plugins.index("odl_datastore")  # its IDatastore hook runs after the stock one
    assert app["solr_url"] == "%(CKAN_SOLR_URL)s"
    needed = set(re.findall(r"%\((CKAN_[A-Z_]+)\)s", CKAN_INI.read_text()))
    assert {"CKAN_SECRET_KEY", "CKAN_SQLALCHEMY_URL", "CKAN_DATASTORE_WRITE_URL", "CKAN_DATASTORE_READ_URL"} <= needed
    for name in ("ckan", "ckan-heavy", "ckan-init"):
        missing = needed - set(services[name]["environment"])
        assert not missing, f"{name} lacks {missing}"


def test_nginx_is_the_front_door_with_the_stacks_template(services: dict[str, dict[str, Any]]) -> None:
    from scripts import stack_nginx

    nginx = services["nginx"]
    env = nginx["environment"]
    template = stack_nginx.TEMPLATE.read_text(encoding="utf-8")
    # The image renders only ODL_* (envsubst), so nginx's own $variables survive, and it needs every one of them.
    assert env["NGINX_ENVSUBST_FILTER"] == "^ODL_"
    assert set(stack_nginx.PLACEHOLDER.findall(template)) <= set(env)
    assert {name: env[name] for name in stack_nginx.LIMITS} == stack_nginx.LIMITS  # the same limits as locally
    mounts = {volume.split(":")[1] if isinstance(volume, str) else volume["target"] for volume in nginx["volumes"]}
    assert "/etc/nginx/templates/default.conf.template" in mounts
    assert env["ODL_CKAN_STORAGE"] in mounts  # files CKAN authorises are sent from the shared volume
    for pool, upstream in (("ckan", "ODL_CKAN_UPSTREAM"), ("ckan-heavy", "ODL_CKAN_HEAVY_UPSTREAM")):
        assert env[upstream] == f"{pool}:{container_port(services, pool)}"
        assert not services[pool].get("ports"), f"{pool} must be reached through nginx only"
        assert command_of(services[pool]) == ["serve"]
    assert env["ODL_LISTEN"] == str(container_port(services, "nginx"))


def test_ckan_finds_its_solr_core(services: dict[str, dict[str, Any]]) -> None:
    url = urlsplit(services["ckan"]["environment"]["CKAN_SOLR_URL"])
    assert (url.hostname, url.port) == ("solr", container_port(services, "solr"))
    core = url.path.rstrip("/").rsplit("/", 1)[-1]
    assert f'CMD ["solr-precreate", "{core}",' in (SOLR_DIR / "Dockerfile").read_text()
    assert {"solr", "ckan-init"} <= set(services["ckan"]["depends_on"])


def test_postgres_init_creates_every_role_and_database_the_stack_uses(services: dict[str, dict[str, Any]]) -> None:
    script = POSTGRES_INIT.read_text()
    roles = set(re.findall(r"^CREATE ROLE (\w+) LOGIN", script, re.M))
    databases = dict(re.findall(r"^CREATE DATABASE (\w+) OWNER (\w+)", script, re.M))
    urls = [
        services["ckan"]["environment"][name]
        for name in ("CKAN_SQLALCHEMY_URL", "CKAN_DATASTORE_WRITE_URL", "CKAN_DATASTORE_READ_URL")
    ]
    airflow_env = services["airflow-scheduler"]["environment"]
    urls += [airflow_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], airflow_env["AIRFLOW__CELERY__RESULT_BACKEND"]]
    for url in map(urlsplit, urls):
        assert url.username in roles, url.geturl()
        assert url.path.lstrip("/") in databases, url.geturl()
    # The DataStore belongs to its writer, so tables Airflow creates there are CKAN's to alter.
    write_url = urlsplit(services["ckan"]["environment"]["CKAN_DATASTORE_WRITE_URL"])
    assert databases[write_url.path.lstrip("/")] == write_url.username
    # The passwords the script reads are the ones the postgres service passes it.
    wanted = set(re.findall(r"\$([A-Z_]+_PASSWORD)\b", script))
    assert wanted <= set(services["postgres"]["environment"])
    mounts = [v if isinstance(v, str) else f"{v['source']}:{v['target']}" for v in services["postgres"]["volumes"]]
    assert any(m.startswith(f"{POSTGRES_INIT.parent}:/docker-entrypoint-initdb.d") for m in mounts), mounts


def test_solr_text_field_is_japanese_aware() -> None:
    schema = ET.parse(SOLR_DIR / "schema.xml").getroot()
    assert schema.get("name") == "ckan-2.11"  # CKAN refuses to start on a schema it does not know
    text = schema.find("./types/fieldType[@name='text']")
    assert text is not None
    analyzers = text.findall("analyzer")
    assert {a.get("type") for a in analyzers} == {"index", "query"}
    for analyzer in analyzers:
        tokenizer = analyzer.find("tokenizer")
        assert tokenizer is not None
        classes = {tokenizer.get("class")} | {f.get("class") for f in analyzer.findall("filter")}
        assert "solr.CJKBigramFilterFactory" in classes or tokenizer.get("class") == "solr.JapaneseTokenizerFactory", (
            f"{analyzer.get('type')} analyzer of `text` splits neither into CJK bigrams nor Japanese words"
        )


def test_solr_schema_keeps_every_field_of_ckans_schema() -> None:
    if not INSTALLED_CKAN_SCHEMA.exists():
        pytest.skip(f"CKAN's own schema is not installed at {INSTALLED_CKAN_SCHEMA.relative_to(REPO_ROOT)}")

    def shape(path: Path) -> dict[str, Any]:
        root = ET.parse(path).getroot()
        return {
            "name": root.get("name"),
            "fields": sorted(json.dumps(f.attrib, sort_keys=True) for f in root.iter("field")),
            "dynamicFields": sorted(json.dumps(f.attrib, sort_keys=True) for f in root.iter("dynamicField")),
            "copyFields": sorted(json.dumps(f.attrib, sort_keys=True) for f in root.iter("copyField")),
            "uniqueKey": root.findtext("uniqueKey"),
            "types": sorted(t.get("name", "") for t in root.iter() if t.tag.lower() == "fieldtype"),
        }

    assert shape(SOLR_DIR / "schema.xml") == shape(INSTALLED_CKAN_SCHEMA)
