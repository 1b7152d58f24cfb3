"""Airflow glue: task bodies, the embedded `dags test` runner, run log and checks, server mode."""
