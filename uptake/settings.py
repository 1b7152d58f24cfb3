"""The one place that reads the environment.

Every other module takes a :class:`Settings` (or calls :func:`get_settings`) and every tool
(dbt, Airflow, MLflow, Great Expectations) gets its configuration from :meth:`Settings.tool_env`,
so configuration flows one way: environment -> settings -> tools.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Measured telemetry opt-outs: without them dbt and MLflow resolve their telemetry hosts (DNS),
# and DO_NOT_TRACK alone does not stop MLflow.
TELEMETRY_OFF: dict[str, str] = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    "GX_ANALYTICS_ENABLED": "False",
    "SCARF_ANALYTICS": "false",
    "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    "AIRFLOW__SCHEDULER__UPDATE_CHECK_INTERVAL": "0",
}

# Airflow names its host with a reverse lookup (getfqdn) by default: a DNS query wherever the
# host name is not in /etc/hosts. The plain host name needs no network.
NO_NAME_LOOKUPS: dict[str, str] = {"AIRFLOW__CORE__HOSTNAME_CALLABLE": "socket.gethostname"}

# Public knobs, documented in the README's configuration table: name -> (default, meaning).
DOCUMENTED_VARIABLES: dict[str, tuple[str, str]] = {
    "UPTAKE_HOME": (
        ".uptake/ in the checkout",
        "Airflow home, MLflow store, logs, Data Docs, demo data",
    ),
    "UPTAKE_LANDING_DIR": ("$UPTAKE_HOME/landing", "the landing zone the pipeline reads"),
    "UPTAKE_WAREHOUSE": (
        "$UPTAKE_HOME/warehouse.duckdb",
        "the DuckDB warehouse file, or a postgresql:// URL: PostgreSQL is then the whole "
        "warehouse (docs/postgres.md)",
    ),
    "UPTAKE_BI_WAREHOUSE": (
        "$UPTAKE_HOME/bi/warehouse.duckdb",
        "read-only copy of the marts for BI tools, replaced atomically after each run",
    ),
    "UPTAKE_DBT_TARGET": (
        "duckdb (postgres with a postgresql:// UPTAKE_WAREHOUSE)",
        "where the warehouse lives: duckdb or postgres",
    ),
    "UPTAKE_PG_DSN": (
        "postgresql://postgres@127.0.0.1:5432/test",
        "PostgreSQL warehouse for the postgres target (UPTAKE_WAREHOUSE's URL when it is one)",
    ),
    "UPTAKE_AS_OF_DATE": ("latest delivery date in the landing zone", "the day a run scores"),
    "MLFLOW_TRACKING_URI": ("sqlite:///$UPTAKE_HOME/mlflow/mlflow.db", "MLflow tracking store"),
    "UPTAKE_ALERT_CAP_PER_CSM": ("10", "most critical+warning alerts pushed to one CSM a run"),
    "UPTAKE_SCORE_DROP_POINTS": (
        "10",
        "adoption score points lost over 30 days that raise a score_drop alert",
    ),
    "UPTAKE_CHAMPIONS": (
        "decided",
        "what scoring does when churn, ticket intent or adoption has no champion: decided = "
        "use the documented fallback (churn prior, keyword rule, measured rates) only where the "
        "model's latest training run decided so, else fail naming the model; required = always "
        "fail; optional = always use the fallback",
    ),
    "UPTAKE_COHORT_MIN_ACCOUNTS": (
        "8 (dbt var cohort_min_accounts)",
        "peers a benchmark cohort needs; a smaller one falls back to a coarser cohort",
    ),
    "UPTAKE_DBT_FULL_REFRESH": (
        "false",
        "true: dbt rebuilds the incremental event models from scratch (uptake run --full-refresh)",
    ),
    "UPTAKE_ML_THREADS": (
        "1",
        "OpenMP and BLAS threads of model training and scoring; raise it only on a machine the "
        "pipeline has to itself (docs/models.md#threads)",
    ),
    "UPTAKE_MAX_LINE_BYTES": (
        "1048576 (1 MiB)",
        "longest JSON line extract loads; a longer one is quarantined",
    ),
    "UPTAKE_MAX_FILE_BYTES": (
        "2147483648 (2 GiB)",
        "largest landing file extract reads, decompressed; larger: quarantined whole",
    ),
    "UPTAKE_CSV_FALLBACK_ENCODING": (
        "none",
        "encoding of a CSV file that is not UTF-8, e.g. cp1252 as Excel on Windows writes "
        "(none: its rows with other bytes are quarantined as invalid_utf8)",
    ),
    "UPTAKE_CRM_SOURCE": (
        "files (the landing zone)",
        "a postgresql:// URL: pull the CRM tables from PostgreSQL (docs/sources.md)",
    ),
    "UPTAKE_CRM_SCHEMA": ("public", "schema holding the CRM tables of UPTAKE_CRM_SOURCE"),
    "UPTAKE_CRM_OVERLAP_SECONDS": ("300", "CRM watermark overlap re-read each pull"),
    "UPTAKE_SUPPORT_SOURCE": (
        "files (the landing zone)",
        "an http(s):// Zendesk base URL: pull tickets and organizations from its API",
    ),
    "UPTAKE_SUPPORT_EMAIL": ("unset", "Zendesk agent email: Basic auth email/token"),
    "UPTAKE_SUPPORT_TOKEN": ("unset", "Zendesk API token (Bearer token when no email is set)"),
    "UPTAKE_PULL_MAX_RETRIES": ("5", "retries of a failed API request before a pull fails"),
    "UPTAKE_AIRFLOW_DB": (
        "postgresql://postgres@127.0.0.1:5432/uptake_airflow",
        "server mode (`make up`): Airflow metadata database, created if missing",
    ),
    "UPTAKE_MLFLOW_DB": (
        "postgresql://postgres@127.0.0.1:5432/uptake_mlflow",
        "server mode: MLflow server backend store, created if missing",
    ),
    "UPTAKE_EXECUTOR": ("local", "server mode: Airflow executor, local or celery"),
    "UPTAKE_CELERY_BROKER": (
        "redis://127.0.0.1:6379/0",
        "server mode with UPTAKE_EXECUTOR=celery: the Celery broker",
    ),
    "UPTAKE_AIRFLOW_PORT": ("8080", "server mode: Airflow api-server port on 127.0.0.1"),
    "UPTAKE_MLFLOW_PORT": ("5000", "server mode: MLflow server port on 127.0.0.1"),
    "UPTAKE_ALERT_WEBHOOK_URL": (
        "unset (no webhook)",
        "Slack-compatible incoming webhook that receives each new critical alert once",
    ),
    "UPTAKE_ALERT_WEBHOOK_RETRIES": ("4", "retries of a failed webhook post (5xx, 429, network)"),
    "UPTAKE_CRM_EXPORT_TABLE": (
        "uptake_account_health",
        "table of UPTAKE_CRM_SOURCE that receives the account health upsert; empty: none",
    ),
}

AIRFLOW_DB_DEFAULT = "postgresql://postgres@127.0.0.1:5432/uptake_airflow"
# What scoring does for a model without a champion (UPTAKE_CHAMPIONS): "decided" uses the
# documented fallback only where the model's latest training run decided it stays (too little
# data, or no model beat the rule baseline) and fails otherwise; "required" always fails; "optional"
# always falls back (scoring marts that were never trained on, as the delivery tests do).
CHAMPION_MODES = ("decided", "required", "optional")
MLFLOW_DB_DEFAULT = "postgresql://postgres@127.0.0.1:5432/uptake_mlflow"

MAX_LINE_BYTES = 1024 * 1024
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024


def _path(value: str | None, default: Path) -> Path:
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    home: Path
    landing_dir: Path
    warehouse_path: Path
    bi_warehouse: Path | None = None  # None: $UPTAKE_HOME/bi/warehouse.duckdb
    dbt_target: str = "duckdb"
    pg_dsn: str = "postgresql://postgres@127.0.0.1:5432/test"
    as_of_date: date | None = None
    mlflow_tracking_uri: str = ""
    alert_cap_per_csm: int = 10
    score_drop_points: float = 10.0
    champions: str = "decided"  # CHAMPION_MODES: when scoring may use a rule for a model
    cohort_min_accounts: int | None = None  # None: the dbt project's var cohort_min_accounts
    dbt_full_refresh: bool = False  # dbt build --full-refresh: rebuild the incremental models
    ml_threads: int = 1  # OpenMP/BLAS threads of model training and scoring (uptake.ml.threads)
    max_line_bytes: int = MAX_LINE_BYTES
    max_file_bytes: int = MAX_FILE_BYTES
    csv_fallback_encoding: str = ""  # a Python codec name; empty: CSVs must be UTF-8
    # Pulled sources (docs/sources.md). Empty = read the landing zone's files. The URL and the
    # token may carry secrets: kept out of repr() so a logged Settings never shows them.
    crm_source: str = field(default="", repr=False)
    crm_schema: str = "public"
    crm_overlap_seconds: int = 300
    support_source: str = field(default="", repr=False)
    support_email: str = field(default="", repr=False)
    support_token: str = field(default="", repr=False)
    pull_max_retries: int = 5
    # Server mode (uptake.orchestration.server, `make up`). The database URLs may carry passwords.
    airflow_db: str = field(default=AIRFLOW_DB_DEFAULT, repr=False)
    mlflow_db: str = field(default=MLFLOW_DB_DEFAULT, repr=False)
    executor: str = "local"
    celery_broker: str = field(default="redis://127.0.0.1:6379/0", repr=False)
    airflow_port: int = 8080
    mlflow_port: int = 5000
    # Delivery (docs/delivery.md). The webhook URL is a credential: kept out of repr().
    alert_webhook_url: str = field(default="", repr=False)
    alert_webhook_retries: int = 4
    crm_export_table: str = "uptake_account_health"
    project_root: Path = field(default=PROJECT_ROOT)

    @property
    def warehouse_on_postgres(self) -> bool:
        """PostgreSQL holds every schema; ``warehouse_path`` is then only the extract's
        working file (raw tables are parsed there, then copied to PostgreSQL)."""
        return self.dbt_target == "postgres"

    @property
    def bi_warehouse_path(self) -> Path:
        """The read-only copy of the marts that BI tools open (``uptake.bi_copy``)."""
        return self.bi_warehouse or self.home / "bi" / "warehouse.duckdb"

    @property
    def dbt_project_dir(self) -> Path:
        return self.project_root / "dbt_project"

    @property
    def dags_dir(self) -> Path:
        return self.project_root / "dags"

    @property
    def expectations_dir(self) -> Path:
        return self.project_root / "expectations"

    @property
    def ml_config_dir(self) -> Path:
        return self.project_root / "ml"

    @property
    def pulled_dir(self) -> Path:
        """Landing-zone-shaped root where pulled sources deliver, with their state in _state/."""
        return self.home / "pulled"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def mlflow_dir(self) -> Path:
        return self.home / "mlflow"

    @property
    def mlflow_artifacts_dir(self) -> Path:
        return self.mlflow_dir / "artifacts"

    @property
    def gx_dir(self) -> Path:
        return self.home / "gx"

    @property
    def server_dir(self) -> Path:
        """Server mode (``make up``): pid files, process logs, secrets, the stack's state."""
        return self.home / "server"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def dbt_target_dir(self) -> Path:
        return self.home / "dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.home / "dbt" / "logs"

    @property
    def dbt_docs_dir(self) -> Path:
        """``uptake docs``: the dbt docs site, a target of its own (run_results.json stays
        the build's)."""
        return self.home / "dbt" / "docs"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def exports_dir(self) -> Path:
        return self.home / "exports"

    def tool_env(self) -> dict[str, str]:
        """Environment for dbt, Airflow, MLflow and GX, in-process or as subprocesses."""
        env = {**TELEMETRY_OFF, **NO_NAME_LOOKUPS}
        env.update(
            {
                "UPTAKE_HOME": str(self.home),
                "UPTAKE_LANDING_DIR": str(self.landing_dir),
                "UPTAKE_WAREHOUSE": str(self.warehouse_path),
                "UPTAKE_BI_WAREHOUSE": str(self.bi_warehouse_path),
                "UPTAKE_DBT_TARGET": self.dbt_target,
                "UPTAKE_PG_DSN": self.pg_dsn,
                "UPTAKE_ALERT_CAP_PER_CSM": str(self.alert_cap_per_csm),
                "UPTAKE_SCORE_DROP_POINTS": str(self.score_drop_points),
                "UPTAKE_CHAMPIONS": self.champions,
                "UPTAKE_MAX_LINE_BYTES": str(self.max_line_bytes),
                "UPTAKE_MAX_FILE_BYTES": str(self.max_file_bytes),
                "UPTAKE_CSV_FALLBACK_ENCODING": self.csv_fallback_encoding,
                "MLFLOW_TRACKING_URI": self.mlflow_tracking_uri,
                "AIRFLOW_HOME": str(self.airflow_home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_dir),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.airflow_home}/airflow.db",
                "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.logs_dir / "airflow"),
                "AIRFLOW__LOGGING__DAG_PROCESSOR_CHILD_PROCESS_LOG_DIRECTORY": str(
                    self.logs_dir / "airflow" / "dag_processor"
                ),
                "DBT_PROFILES_DIR": str(self.dbt_project_dir),
                "DBT_PROJECT_DIR": str(self.dbt_project_dir),
                "DBT_TARGET_PATH": str(self.dbt_target_dir),
                "DBT_LOG_PATH": str(self.dbt_log_dir),
            }
        )
        if self.as_of_date is not None:
            env["UPTAKE_AS_OF_DATE"] = self.as_of_date.isoformat()
        if self.cohort_min_accounts is not None:
            env["UPTAKE_COHORT_MIN_ACCOUNTS"] = str(self.cohort_min_accounts)
        if self.dbt_full_refresh:
            env["UPTAKE_DBT_FULL_REFRESH"] = "true"
        env["UPTAKE_ML_THREADS"] = str(self.ml_threads)
        return env

    def apply(self) -> None:
        """Export :meth:`tool_env` into this process (before importing dbt, MLflow or GX)."""
        os.environ.update(self.tool_env())
        for folder in (self.home, self.mlflow_artifacts_dir, self.logs_dir, self.reports_dir):
            folder.mkdir(parents=True, exist_ok=True)


def _codec(env: Mapping[str, str], name: str) -> str:
    """An optional text encoding from the environment, checked now: a misspelt one would
    otherwise fail on the first file that needs it."""
    value = env.get(name, "").strip()
    if not value:
        return ""
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError(f"{name}: unknown encoding {value!r} (e.g. cp1252, latin-1)") from None
    return value


def _positive_int(env: Mapping[str, str], name: str) -> int | None:
    """An optional count from the environment: None when unset or empty, else >= 1."""
    value = env.get(name)
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return number


def _champions(value: str | None) -> str:
    mode = (value or "decided").strip().lower()
    if mode not in CHAMPION_MODES:
        raise ValueError(f"UPTAKE_CHAMPIONS must be one of {', '.join(CHAMPION_MODES)}: {value!r}")
    return mode


def _flag(value: str | None) -> bool:
    """An on/off setting: 1, true, yes or on (any case) is on; unset or empty is off."""
    text = (value or "").strip().lower()
    if text in {"", "0", "false", "no", "off"}:
        return False
    if text in {"1", "true", "yes", "on"}:
        return True
    raise ValueError(f"expected true or false, got {value!r}")


PG_DSN_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
WAREHOUSE_TARGETS = ("duckdb", "postgres")


def _warehouse(env: Mapping[str, str], home: Path) -> tuple[Path, str, str]:
    """(DuckDB file, target, PostgreSQL DSN) from UPTAKE_WAREHOUSE, UPTAKE_DBT_TARGET and
    UPTAKE_PG_DSN. A postgresql:// UPTAKE_WAREHOUSE makes PostgreSQL the whole warehouse; the
    DuckDB file is then the extract's working file, ``$UPTAKE_HOME/staging/extract.duckdb``."""
    warehouse = (env.get("UPTAKE_WAREHOUSE") or "").strip()
    if warehouse.startswith(("postgresql://", "postgres://")):
        target = env.get("UPTAKE_DBT_TARGET") or "postgres"
        dsn = env.get("UPTAKE_PG_DSN") or warehouse
        if target != "postgres" or dsn != warehouse:
            raise ValueError(
                "UPTAKE_WAREHOUSE is a PostgreSQL URL but UPTAKE_DBT_TARGET or UPTAKE_PG_DSN "
                "names another warehouse; unset them or make them agree"
            )
        return home / "staging" / "extract.duckdb", "postgres", warehouse
    target = env.get("UPTAKE_DBT_TARGET") or "duckdb"
    if target not in WAREHOUSE_TARGETS:
        raise ValueError(f"UPTAKE_DBT_TARGET must be one of {WAREHOUSE_TARGETS}, got {target!r}")
    path = _path(warehouse or None, home / "warehouse.duckdb")
    return path, target, env.get("UPTAKE_PG_DSN") or PG_DSN_DEFAULT


def get_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    home = _path(env.get("UPTAKE_HOME"), PROJECT_ROOT / ".uptake")
    as_of = env.get("UPTAKE_AS_OF_DATE") or None
    warehouse_path, dbt_target, pg_dsn = _warehouse(env, home)
    return Settings(
        home=home,
        landing_dir=_path(env.get("UPTAKE_LANDING_DIR"), home / "landing"),
        warehouse_path=warehouse_path,
        bi_warehouse=_path(env.get("UPTAKE_BI_WAREHOUSE"), home / "bi" / "warehouse.duckdb"),
        dbt_target=dbt_target,
        pg_dsn=pg_dsn,
        as_of_date=date.fromisoformat(as_of) if as_of else None,
        mlflow_tracking_uri=env.get("MLFLOW_TRACKING_URI")
        or f"sqlite:///{home / 'mlflow' / 'mlflow.db'}",
        alert_cap_per_csm=int(env.get("UPTAKE_ALERT_CAP_PER_CSM", "10")),
        score_drop_points=float(env.get("UPTAKE_SCORE_DROP_POINTS") or "10"),
        champions=_champions(env.get("UPTAKE_CHAMPIONS")),
        cohort_min_accounts=_positive_int(env, "UPTAKE_COHORT_MIN_ACCOUNTS"),
        dbt_full_refresh=_flag(env.get("UPTAKE_DBT_FULL_REFRESH")),
        ml_threads=_positive_int(env, "UPTAKE_ML_THREADS") or 1,
        max_line_bytes=int(env.get("UPTAKE_MAX_LINE_BYTES") or MAX_LINE_BYTES),
        max_file_bytes=int(env.get("UPTAKE_MAX_FILE_BYTES") or MAX_FILE_BYTES),
        csv_fallback_encoding=_codec(env, "UPTAKE_CSV_FALLBACK_ENCODING"),
        crm_source=env.get("UPTAKE_CRM_SOURCE", "").strip(),
        crm_schema=env.get("UPTAKE_CRM_SCHEMA") or "public",
        crm_overlap_seconds=int(env.get("UPTAKE_CRM_OVERLAP_SECONDS") or "300"),
        support_source=env.get("UPTAKE_SUPPORT_SOURCE", "").strip(),
        support_email=env.get("UPTAKE_SUPPORT_EMAIL", "").strip(),
        support_token=env.get("UPTAKE_SUPPORT_TOKEN", "").strip(),
        pull_max_retries=int(env.get("UPTAKE_PULL_MAX_RETRIES") or "5"),
        airflow_db=env.get("UPTAKE_AIRFLOW_DB") or AIRFLOW_DB_DEFAULT,
        mlflow_db=env.get("UPTAKE_MLFLOW_DB") or MLFLOW_DB_DEFAULT,
        executor=(env.get("UPTAKE_EXECUTOR") or "local").strip().lower(),
        celery_broker=env.get("UPTAKE_CELERY_BROKER") or "redis://127.0.0.1:6379/0",
        airflow_port=int(env.get("UPTAKE_AIRFLOW_PORT") or "8080"),
        mlflow_port=int(env.get("UPTAKE_MLFLOW_PORT") or "5000"),
        alert_webhook_url=env.get("UPTAKE_ALERT_WEBHOOK_URL", "").strip(),
        alert_webhook_retries=int(env.get("UPTAKE_ALERT_WEBHOOK_RETRIES") or "4"),
        crm_export_table=env.get("UPTAKE_CRM_EXPORT_TABLE", "uptake_account_health").strip(),
    )
