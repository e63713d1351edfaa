"""odl's Airflow integration: DAG defaults, callbacks, hooks, operators and UI plugin."""
