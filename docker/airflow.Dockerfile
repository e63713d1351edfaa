# odl's Airflow 3.3 image: every Airflow service of docker-compose.yaml (api-server, scheduler,
# dag-processor, triggerer, celery worker, init) runs this image with a different command.
#
# Build context: the repository root, as docker-compose.yaml does:
#   docker build -f docker/airflow.Dockerfile -t odl-airflow .
#
# Python packages: the official image keeps Airflow in a virtualenv (VIRTUAL_ENV=/home/airflow/.local)
# with ~200 preinstalled providers resolved against Airflow's own constraints. `uv pip sync` makes
# that virtualenv exactly requirements/airflow.lock (which pins apache-airflow 3.3.2 itself, the Celery
# provider and the Redis client), removing everything else, so the image runs the same versions that
# `make test` tested.
FROM apache/airflow:3.3.2-python3.11

USER root
RUN mkdir -p /opt/odl/data \
    && chown -R airflow:0 /opt/odl \
    && chmod -R g+rwX /opt/odl
USER airflow
WORKDIR /opt/odl

COPY --chown=airflow:0 requirements/airflow.lock requirements/airflow.lock
RUN PIP_USER=false pip install --no-cache-dir uv==0.13.9 \
    && uv pip sync --no-cache requirements/airflow.lock

# The project (`transforms`, the `odl` command) is installed editable from /opt/odl, as `make setup`
# does locally, so its default paths (catalog/ next to transforms/) hold in the image too.
COPY --chown=airflow:0 pyproject.toml pyproject.toml
COPY --chown=airflow:0 transforms transforms
COPY --chown=airflow:0 catalog catalog
RUN uv pip install --no-cache --no-deps -e /opt/odl \
    && uv pip check \
    && python -c "import transforms.settings, celery, airflow.providers.celery"

COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 plugins /opt/airflow/plugins

# docker-compose.yaml sets the same values; here they make `docker run odl-airflow …` agree.
# /opt/odl/data is where the data volume is mounted (a named volume starts out owned by airflow).
ENV ODL_DATA_ROOT=/opt/odl/data \
    ODL_CATALOG_DIR=/opt/odl/catalog \
    AIRFLOW__CORE__LOAD_EXAMPLES=false

WORKDIR /opt/airflow
