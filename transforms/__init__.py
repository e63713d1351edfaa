"""odl's pipeline logic in plain Python: readers, rules, joins, publishing helpers.

Nothing here imports Airflow, so every step can be run and tested on its own
(and by the `odl` command line) exactly as the DAG tasks run it.
"""
