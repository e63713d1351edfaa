#!/bin/bash
# Entry point of odl's CKAN image (ckan/Dockerfile).
#
#   init   prepare the databases, then exit (docker-compose service ckan-init). Safe to repeat:
#          `ckan db init` migrates CKAN's DB to head, `ckan db upgrade -p activity` applies the
#          activity plugin's migrations (db init does not), `ckan datastore set-permissions`
#          prints the DataStore grants, piped to psql as the PostgreSQL superuser (PGHOST,
#          PGUSER, PGPASSWORD: given to ckan-init only), and the sysadmin account is created
#          once from CKAN_SYSADMIN_NAME / _EMAIL / _PASSWORD.
#   serve  run CKAN under gunicorn on port 5000 (the default; services ckan and ckan-heavy, behind nginx),
#          gthread workers. `ckan run` is a file-watching reloader, so the app is built by ckan/wsgi.py instead.
#   *      run the given command (e.g. `ckan search-index rebuild`, `bash`).
set -euo pipefail

: "${CKAN_INI:?CKAN_INI must name the config file}"

case "${1:-serve}" in
    init)
        ckan -c "$CKAN_INI" db init
        ckan -c "$CKAN_INI" db upgrade -p activity
        ckan -c "$CKAN_INI" datastore set-permissions | psql --no-psqlrc --quiet --set ON_ERROR_STOP=1 --dbname postgres
        if [ -n "${CKAN_SYSADMIN_NAME:-}" ]; then
            if ckan -c "$CKAN_INI" user show "$CKAN_SYSADMIN_NAME" | grep -q "^User: None$"; then
                ckan -c "$CKAN_INI" user add "$CKAN_SYSADMIN_NAME" \
                    "email=${CKAN_SYSADMIN_EMAIL:?}" "password=${CKAN_SYSADMIN_PASSWORD:?}"
            fi
            ckan -c "$CKAN_INI" sysadmin add "$CKAN_SYSADMIN_NAME"
        fi
        echo "odl ckan-init: databases ready"
        ;;
    serve)
        exec gunicorn --chdir "${CKAN_HOME:-/srv/app}" --bind 0.0.0.0:5000 \
            --worker-class gthread --workers "${CKAN_GUNICORN_WORKERS:-2}" \
            --threads "${CKAN_GUNICORN_THREADS:-4}" --timeout 120 \
            --access-logfile - --error-logfile - wsgi:application
        ;;
    *)
        exec "$@"
        ;;
esac
