"""docs/contract.md says what the code publishes, and docs/architecture.md says where.

The contract's warehouse table (section 2) is read as data: its scored tables must equal the
column lists the scoring step creates, every dbt mart column it names must be a documented
column of that model, and architecture.md must name the place each column is computed.
"""

from __future__ import annotations

import re

import yaml

from uptake.scoring.contract import TABLES as SCORED_TABLES
from uptake.settings import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs"
DBT = PROJECT_ROOT / "dbt_project"
CODE_NAME = re.compile(r"`([a-z][a-z0-9_]*)`")


def _table_rows(markdown: str, header: str) -> list[list[str]]:
    """The cells of the rows of the markdown table whose header row starts with ``header``."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def contract_columns() -> dict[str, list[str]]:
    """{table: columns} from the table in section 2 of docs/contract.md."""
    text = (DOCS / "contract.md").read_text(encoding="utf-8")
    section = text[text.index("## 2. Warehouse") :]
    tables = {}
    for table_cell, _grain, columns_cell in _table_rows(section, "| table | grain |"):
        table = table_cell.strip("`").split(".")[-1]  # `marts.dim_accounts`
        plain = re.sub(r"\([^)]*\)", "", columns_cell)  # allowed values and notes
        tables[table] = [name.strip() for name in plain.split(",") if name.strip()]
    return tables


def dbt_model_columns() -> dict[str, set[str]]:
    models: dict[str, set[str]] = {}
    for path in (DBT / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            models[model["name"]] = {column["name"] for column in model.get("columns", [])}
    return models


def architecture_places() -> dict[tuple[str, str], str]:
    """{(table, column): computed in} from docs/architecture.md's column table."""
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    places = {}
    for table_cell, columns_cell, place, _how in _table_rows(text, "| table | column |"):
        for column in CODE_NAME.findall(columns_cell):
            places[(table_cell.strip("`"), column)] = place
    return places


def test_the_contract_lists_eight_tables_with_their_columns() -> None:
    tables = contract_columns()
    assert len(tables) == 8, tables
    assert tables["cohort_benchmarks"][-4:] == [
        "p25_events_30d",
        "p50_events_30d",
        "p75_events_30d",
        "p90_events_30d",
    ]
    for columns in tables.values():
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in columns), columns


def test_scored_tables_publish_exactly_the_contract_columns() -> None:
    tables = contract_columns()
    for table, columns in SCORED_TABLES.items():
        assert tables[table] == list(columns), table


def test_every_contract_mart_column_is_a_documented_dbt_column() -> None:
    models = dbt_model_columns()
    for table, columns in contract_columns().items():
        if table in SCORED_TABLES:
            continue
        missing = set(columns) - models[table]
        assert not missing, f"{table}: {sorted(missing)} not in its dbt schema file"


def test_architecture_names_where_every_contract_column_is_computed() -> None:
    places = architecture_places()
    missing = [
        f"{table}.{column}"
        for table, columns in contract_columns().items()
        for column in columns
        if (table, column) not in places
    ]
    assert not missing, missing
    for place in places.values():
        for path in re.findall(r"`([\w/]+\.(?:sql|py|toml))`", place):
            # dbt models are named from dbt_project/models/, macros by their file name.
            roots = (PROJECT_ROOT, DBT / "models", DBT / "macros" / "definitions")
            assert any((root / path).is_file() for root in roots), path
