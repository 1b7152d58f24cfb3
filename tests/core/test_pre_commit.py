"""The pre-commit hooks bring their own tools, pinned to the versions uv.lock installs.

Offline: the config is read, not run (pre-commit would clone the hook repositories).
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml

from uptake.settings import PROJECT_ROOT

SQLFLUFF_REPO = "https://github.com/sqlfluff/sqlfluff"
RUFF_REPO = "https://github.com/astral-sh/ruff-pre-commit"
HOOKS_REPO = "https://github.com/pre-commit/pre-commit-hooks"


def _config() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))


def _locked() -> dict[str, str]:
    lock = tomllib.loads((PROJECT_ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {package["name"]: package["version"] for package in lock["package"]}


def _repos() -> dict[str, dict[str, Any]]:
    return {repo["repo"]: repo for repo in _config()["repos"]}


def test_every_hook_comes_from_a_public_repository() -> None:
    # A `local` or `system` hook would need the project's .venv, i.e. `make install` first.
    for repo in _config()["repos"]:
        assert repo["repo"].startswith("https://github.com/"), repo["repo"]
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", str(repo["rev"])), repo
        for hook in repo["hooks"]:
            assert hook.get("language", "python") == "python", hook


def test_the_hooks_cover_python_sql_whitespace_and_yaml() -> None:
    repos = _repos()
    ids = {repo: [hook["id"] for hook in repos[repo]["hooks"]] for repo in repos}
    assert {"ruff-check", "ruff-format"} <= set(ids[RUFF_REPO])
    assert {"trailing-whitespace", "end-of-file-fixer", "check-yaml"} <= set(ids[HOOKS_REPO])
    assert "sqlfluff-lint" in ids[SQLFLUFF_REPO]


def test_revisions_match_the_locked_tools() -> None:
    repos, locked = _repos(), _locked()
    assert repos[RUFF_REPO]["rev"] == f"v{locked['ruff']}"
    assert str(repos[SQLFLUFF_REPO]["rev"]) == locked["sqlfluff"]
    for hook in repos[SQLFLUFF_REPO]["hooks"]:
        pins = dict(dep.split("==") for dep in hook["additional_dependencies"])
        assert pins == {
            name: locked[name]
            for name in ("sqlfluff-templater-dbt", "dbt-core", "dbt-duckdb", "duckdb")
        }


def test_sqlfluff_lints_models_and_relints_them_when_a_macro_changes() -> None:
    hooks = _repos()[SQLFLUFF_REPO]["hooks"]
    patterns = [re.compile(hook["files"]) for hook in hooks]
    for path in ("dbt_project/models/marts/dim_accounts.sql", "dbt_project/macros/dates.sql"):
        assert any(p.search(path) for p in patterns), path
    assert not any(p.search("dbt_project/tests/generic/not_before.sql") for p in patterns)
    macro_hook = next(h for h in hooks if h["files"].startswith("^dbt_project/macros"))
    assert macro_hook["pass_filenames"] is False
    assert macro_hook["args"] == ["lint", "dbt_project/models"]
    # profiles.yml needs UPTAKE_WAREHOUSE; the .sqlfluff config must stay the dbt templater's.
    for hook in hooks:
        assert "UPTAKE_WAREHOUSE=" in hook["entry"], hook
    assert "templater = dbt" in (PROJECT_ROOT / ".sqlfluff").read_text(encoding="utf-8")
