"""つなぐ connect: published datasets built from the accepted raw submissions, joined and validated.

For each published contract (catalog/datasets/<dataset>/published.yaml):

    builders.py     the contract's transform builds the table: its folder's transform.py or a shared one
    joins.py        every join with the reference data is reconciled: matched, unmatched, ambiguous keys
    tables.py       the table in the contract's column order and curated dtypes; its content hash (version)
    suites.py       the Great Expectations suite generated from the contract, plus the folder's checks.json
    derived.py      how the derived tables of a folder's derived.py (sums, ratios) reach those checks
    validation.py   Great Expectations core (ephemeral context) run over the table and derived tables
    report.py       the run's report for people (HTML, Japanese labels)
    run.py          one connect run: read inputs, build, reconcile, validate, write curated/ or failed/

Curated dtypes (what the create stage maps to DataStore types): integer → nullable Int64;
decimal, latitude, longitude → float64; everything else, dates (YYYY-MM-DD), year-months
(YYYY-MM) and times (HH:MM) included → pandas "string" (pyarrow; Parquet string). Empty
cells are nulls.
"""
