from datetime import date
from pathlib import Path

from uptake.settings import DOCUMENTED_VARIABLES, PROJECT_ROOT, TELEMETRY_OFF, get_settings


def test_defaults_live_in_a_gitignored_home_inside_the_checkout() -> None:
    settings = get_settings({})
    assert settings.home == PROJECT_ROOT / ".uptake"
    assert settings.landing_dir == settings.home / "landing"
    assert settings.warehouse_path == settings.home / "warehouse.duckdb"
    assert settings.mlflow_tracking_uri.startswith("sqlite:///")
    assert ".uptake/" in (PROJECT_ROOT / ".gitignore").read_text()


def test_environment_overrides(tmp_path: Path) -> None:
    settings = get_settings(
        {
            "UPTAKE_HOME": str(tmp_path / "h"),
            "UPTAKE_LANDING_DIR": str(tmp_path / "land"),
            "UPTAKE_WAREHOUSE": str(tmp_path / "w.duckdb"),
            "UPTAKE_AS_OF_DATE": "2026-03-01",
            "UPTAKE_ALERT_CAP_PER_CSM": "4",
        }
    )
    assert settings.home == tmp_path / "h"
    assert settings.landing_dir == tmp_path / "land"
    assert settings.warehouse_path == tmp_path / "w.duckdb"
    assert settings.as_of_date == date(2026, 3, 1)
    assert settings.alert_cap_per_csm == 4
    assert settings.airflow_home == tmp_path / "h" / "airflow"


def test_tool_env_switches_every_telemetry_off_and_points_tools_at_home(tmp_path: Path) -> None:
    env = get_settings({"UPTAKE_HOME": str(tmp_path)}).tool_env()
    for key, value in TELEMETRY_OFF.items():
        assert env[key] == value
    assert env["MLFLOW_DISABLE_TELEMETRY"] == "true"
    assert env["AIRFLOW__CORE__HOSTNAME_CALLABLE"] == "socket.gethostname"
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "False"
    assert env["AIRFLOW_HOME"] == str(tmp_path / "airflow")
    assert env["AIRFLOW__CORE__DAGS_FOLDER"].endswith("/dags")


def test_every_documented_variable_is_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    for name in DOCUMENTED_VARIABLES:
        assert f"`{name}`" in readme, name


def test_only_the_settings_module_reads_the_environment() -> None:
    offenders = []
    for path in list((PROJECT_ROOT / "uptake").rglob("*.py")) + list(
        (PROJECT_ROOT / "dags").rglob("*.py")
    ):
        if path.name == "settings.py":
            continue
        text = path.read_text()
        if "os.environ.get" in text or "os.getenv" in text or "os.environ[" in text:
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []
