"""つくる create: publish a curated dataset version to CKAN, with its DataStore table, CSV and Parquet.

Plain Python, no Airflow: `odl publish` and the create DAGs run the same code.

- `tables`     contract types → DataStore types; the typed table, CSV (UTF-8 with BOM) and Parquet exports
- `metadata`   CKAN organization and dataset metadata from the contract and the data
- `changelog`  rows added, removed and changed between two versions, by key
- `ckan_client` the Action API with retries and a token that never shows
- `datastore`  the bulk loader: COPY into a staging table, swap it in atomically, keep the previous for rollback
- `publisher`  the whole publish / rollback, idempotent, with a ledger line per outcome
- `config`     where the CKAN URL, token and DataStore URL come from outside Airflow
"""
