# The Uptake image for docker-compose.yml: the locked environment (uv.lock) baked in, so a
# container starts without installing anything. One image runs every Airflow component and the
# MLflow server (both are in the lock).
#
#   docker build -t uptake:local .      # docker-compose build does this for you
FROM python:3.11-slim-bookworm

ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    AIRFLOW_HOME=/opt/uptake-home/airflow

# curl for the health checks; uv pinned to the version that wrote uv.lock.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir "uv==0.13.9"

WORKDIR /opt/uptake
# Dependencies first (cached while only the code changes), exactly as locked.
COPY pyproject.toml uv.lock README.md LICENSE ./
RUN uv sync --frozen --no-dev --no-install-project
COPY uptake ./uptake
COPY dags ./dags
COPY dbt_project ./dbt_project
COPY expectations ./expectations
COPY ml ./ml
RUN uv sync --frozen --no-dev

# An unprivileged user owning UPTAKE_HOME: a named volume mounted there starts with this owner.
RUN useradd --uid 50000 --gid 0 --no-create-home --home-dir /opt/uptake-home uptake \
    && mkdir -p /opt/uptake-home/logs/airflow /opt/uptake-home/secrets /mlflow-artifacts \
    && chown -R 50000:0 /opt/uptake-home /mlflow-artifacts \
    && chmod 0700 /opt/uptake-home/secrets
USER 50000
