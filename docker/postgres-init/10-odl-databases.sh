#!/bin/bash
# odl's databases, one role each. The postgres image runs this once, when its data volume is
# first initialised (docker-entrypoint-initdb.d); passwords come from the service's environment.
#
#   airflow    Airflow metadata DB and Celery result backend          (role airflow)
#   ckan       CKAN's own DB                                          (role ckan)
#   datastore  CKAN DataStore: written by CKAN's write_url and by the  (owner datastore_write)
#              Airflow Connection ckan_datastore, read by datastore_read
#
# ckan-init then runs `ckan datastore set-permissions | psql` for the DataStore grants.
set -euo pipefail

for name in AIRFLOW_DB_PASSWORD CKAN_DB_PASSWORD DATASTORE_WRITE_PASSWORD DATASTORE_READ_PASSWORD; do
    if [ -z "${!name:-}" ]; then
        echo "odl postgres init: $name is not set" >&2
        exit 1
    fi
done

# psql variables (:'name') quote the passwords as SQL literals; the heredoc is not expanded by bash.
psql --no-psqlrc --set ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    --set airflow_password="$AIRFLOW_DB_PASSWORD" \
    --set ckan_password="$CKAN_DB_PASSWORD" \
    --set datastore_write_password="$DATASTORE_WRITE_PASSWORD" \
    --set datastore_read_password="$DATASTORE_READ_PASSWORD" <<'SQL'
CREATE ROLE airflow LOGIN PASSWORD :'airflow_password';
CREATE ROLE ckan LOGIN PASSWORD :'ckan_password';
CREATE ROLE datastore_write LOGIN PASSWORD :'datastore_write_password';
CREATE ROLE datastore_read LOGIN PASSWORD :'datastore_read_password';

CREATE DATABASE airflow OWNER airflow ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE ckan OWNER ckan ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE datastore OWNER datastore_write ENCODING 'UTF8' TEMPLATE template0;

-- Nobody but the owners connects unless granted; datastore_read gets its grants from CKAN.
REVOKE ALL ON DATABASE airflow FROM PUBLIC;
REVOKE ALL ON DATABASE ckan FROM PUBLIC;
REVOKE ALL ON DATABASE datastore FROM PUBLIC;
SQL
echo "odl postgres init: created databases airflow, ckan, datastore"
