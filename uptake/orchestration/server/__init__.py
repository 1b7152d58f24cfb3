"""Server mode: the Airflow scheduler stack and an MLflow server as local processes.

``python -m uptake.orchestration.server up|down`` (``make up`` / ``make down``) starts and stops
the stack; ``uptake trigger`` and ``uptake status`` drive and follow runs on it. See
docs/orchestration.md.
"""
