"""Property tests: any bytes through any reader never crash a load, and every line is counted.

Each example loads one file through the real loader (read, parse, SQL, transaction) into a
fresh in-memory warehouse and checks, for that file:

- ``rows_in = rows_loaded + rows_quarantined`` in its audit row, which also match the rows in
  its raw table and in ``raw.quarantine``; ``distinct keys = rows_loaded - rows_duplicate``;
- ``rows_in`` equals the records counted here, independently of the reader: non-blank
  physical lines for JSON lines (blank = only spaces, tabs, CR, LF, FF); for CSV the records
  the test wrote (a value holding a line break spans lines but is one record), or the
  non-blank physical lines of a file with at most one quote character (one stray quote can
  never be closed, so it can never join lines). A file without any record is one
  file-level row (``no_data_rows``), a corrupt gzip one ``unreadable_file`` row.

Duplicates are a subset of loaded rows here, so "read = loaded + quarantined" is the whole
reconciliation. The profile is derandomized so the suite is deterministic.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uptake.extract.landing import LandingFile
from uptake.extract.load_summary import EntityLoad
from uptake.extract.loader import LoadContext, load_entity, refresh_duplicates
from uptake.extract.schema import ensure_raw_schema
from uptake.extract.specs import CRM_ACCOUNTS, ENTITIES, PRODUCT_EVENTS, EntitySpec

PROFILE = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CSV_SPECS = [spec for spec in ENTITIES if spec.file_format == "csv"]
JSONL_SPECS = [spec for spec in ENTITIES if spec.file_format == "jsonl"]
DELIVERY = date(2026, 3, 2)
JSON_BLANK = b" \t\r\n\f"


def spec_ids(specs: list[EntitySpec]) -> list[str]:
    return [spec.entity for spec in specs]


@functools.cache
def _warehouse() -> duckdb.DuckDBPyConnection:
    """One in-memory warehouse for the module: a new one per example would triple the time."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    ensure_raw_schema(con)
    return con


def load_file(folder: Path, spec: EntitySpec, data: bytes, *, gz: bool = False) -> EntityLoad:
    """Load ``data`` as one file of ``spec`` into an emptied warehouse; check the reconciliation."""
    name = f"{(spec.file_stems or ('events',))[0]}.{spec.file_format}" + (".gz" if gz else "")
    path = folder / name
    path.write_bytes(data)
    relative = f"{spec.source}/dt={DELIVERY}/{name}"
    load = EntityLoad(spec.source, spec.entity)
    con = _warehouse()
    for table in (spec.qualified_table, "raw.quarantine", "raw.load_audit"):
        con.execute(f"DELETE FROM {table}")  # each example starts from an empty warehouse
    ctx = LoadContext(con, "test", datetime(2026, 3, 2, 6), {})
    load_entity(ctx, spec, [LandingFile(path, relative, spec, DELIVERY)], load)
    refresh_duplicates(con, spec)
    audit = con.execute(
        "SELECT rows_in, rows_loaded, rows_quarantined, rows_duplicate FROM raw.load_audit"
    ).fetchall()
    in_table = con.execute(f"SELECT count(*) FROM {spec.qualified_table}").fetchone()[0]
    quarantined = con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0]
    key = ", ".join(f'"{column}"' for column in spec.natural_key)
    distinct = con.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {spec.qualified_table})"
    ).fetchone()[0]
    assert len(audit) == 1
    rows_in, loaded, rows_quarantined, duplicates = audit[0]
    assert rows_in == loaded + rows_quarantined
    assert (rows_in, loaded, rows_quarantined) == (load.rows_in, load.rows_loaded,
                                                   load.rows_quarantined)  # fmt: skip
    assert (loaded, rows_quarantined) == (in_table, quarantined)
    assert loaded - duplicates == distinct
    return load


def json_lines_read(data: bytes) -> int:
    """Non-blank physical lines, counted without the reader; at least the one file row."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    return max(1, sum(1 for line in lines if line.strip(JSON_BLANK)))


def csv_physical_lines(text: str) -> list[str]:
    return [line for line in re.split(r"\r\n|\r|\n", text)]


def csv_blank(line: str) -> bool:
    return "," not in line and not line.strip()


# --- JSON lines -----------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["infinity", "-infinity", "epoch", "2026-03-01T12:00:00Z", "1969-01-01"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def valid_message(spec: EntitySpec, n: int) -> dict:
    record: dict = {}
    for field in spec.fields:
        value: object = f"v-{n}"
        if field.kind == "TIMESTAMP":
            value = "2026-03-01T12:00:00Z"
        elif field.source == "type" and spec.entity == "events":
            value = "track"
        parts = field.source.split(".")
        target = record
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return record


@st.composite
def mutated_json_lines(draw: st.DrawFn, spec: EntitySpec) -> bytes:
    lines: list[bytes] = []
    for _ in range(draw(st.integers(0, 8))):
        record = valid_message(spec, draw(st.integers(0, 3)))  # repeats make duplicates
        kind = draw(st.sampled_from(["valid", "value", "truncate", "bytes", "blank", "edit"]))
        if kind == "value":
            field = draw(st.sampled_from(spec.fields))
            record[field.source.split(".")[0]] = draw(json_values)
        line = json.dumps(record).encode()
        if kind == "truncate":
            line = line[: draw(st.integers(0, len(line)))]
        elif kind == "bytes":
            line = draw(st.binary(max_size=30)).replace(b"\n", b"")
        elif kind == "blank":
            line = draw(st.sampled_from([b"", b"  ", b"\t\r", b"\x0b"]))
        elif kind == "edit":
            at = draw(st.integers(0, len(line)))
            line = (
                line[:at] + draw(st.binary(min_size=1, max_size=3)).replace(b"\n", b"") + line[at:]
            )
        lines.append(line)
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    return ending.join(lines) + draw(st.sampled_from([b"", ending]))


@pytest.mark.parametrize("spec", JSONL_SPECS, ids=spec_ids(JSONL_SPECS))
@PROFILE
@given(data=st.data())
def test_json_lines_reconcile_whatever_the_input(tmp_path, spec, data):
    content = data.draw(st.one_of(mutated_json_lines(spec), st.binary(max_size=200)))
    gz = data.draw(st.booleans())
    load = load_file(tmp_path, spec, gzip.compress(content) if gz else content, gz=gz)
    assert load.rows_in == json_lines_read(content)


@pytest.mark.parametrize("spec", [PRODUCT_EVENTS, CRM_ACCOUNTS], ids=["events", "accounts"])
@settings(PROFILE, max_examples=10)
@given(content=st.binary(max_size=100))
def test_a_corrupt_gzip_is_one_quarantined_row(tmp_path, spec, content):
    data = gzip.compress(content)[:-5] if content else b"\x1f\x8b" + content
    load = load_file(tmp_path, spec, data, gz=True)
    assert (load.rows_in, load.rows_quarantined) == (1, 1)


# --- CSV ------------------------------------------------------------------------------------

csv_text = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab1-.  ,;\"'\n\r\t|é€\\\x00")), max_size=10),
    st.sampled_from(["2026-03-01", "12", "-1", "core", "Active", "Renewal", "infinity"]),
)


def header(spec: EntitySpec, draw: st.DrawFn) -> list[str]:
    names = [field.source for field in spec.fields]
    if draw(st.booleans()):
        names = [name.lower() for name in names]
    if draw(st.booleans()):
        names.append("Extra__c")
    return draw(st.permutations(names))


@pytest.mark.parametrize("spec", CSV_SPECS, ids=spec_ids(CSV_SPECS))
@PROFILE
@given(data=st.data())
def test_csv_records_with_any_values_reconcile(tmp_path, spec, data):
    """Quotes, delimiters and line breaks inside values: one record each, however it spans."""
    names = header(spec, data.draw)
    rows = data.draw(
        st.lists(st.lists(csv_text, min_size=len(names), max_size=len(names) + 1), max_size=8)
    )
    buffer = io.StringIO()
    # CRLF: the csv module quotes a value holding CR or LF only if both end its lines.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows(rows)
    load = load_file(tmp_path, spec, buffer.getvalue().encode())
    records = [row for row in rows if not (len(row) == 1 and not row[0].strip())]
    assert load.rows_in == max(1, len(records))


@pytest.mark.parametrize("spec", CSV_SPECS, ids=spec_ids(CSV_SPECS))
@PROFILE
@given(data=st.data())
def test_csv_lines_with_one_stray_quote_reconcile_line_by_line(tmp_path, spec, data):
    """Without a second quote nothing can close a quoted value: every line is its own record,
    and the line holding the quote is the only one whose fate can change."""
    # No letters: a random first line can never be taken for a header.
    line = st.text(alphabet=st.sampled_from(list("0123456789-.:, \t;|é€\x00")), max_size=25)
    has_header = data.draw(st.booleans())
    lines = data.draw(st.lists(line, max_size=10))
    if has_header:
        lines = [",".join(header(spec, data.draw)), *lines]
    clean = "\n".join(lines) + "\n"
    # The quote goes in a data line: a header broken by it would be another story.
    position = data.draw(st.integers(len(lines[0]) + 1 if has_header else 0, len(clean)))
    quoted = clean[:position] + '"' + clean[position:]
    raw_bytes = data.draw(st.binary(max_size=4).filter(lambda b: b'"' not in b))
    quoted = quoted.encode() + raw_bytes  # maybe bytes that are not UTF-8 on the last line

    with_quote = load_file(tmp_path, spec, quoted)

    text = quoted.decode("utf-8", errors="surrogateescape")
    physical = csv_physical_lines(text)
    if has_header:
        first = next((i for i, value in enumerate(physical) if not csv_blank(value)), None)
        physical = physical[first + 1 :] if first is not None else []
    assert with_quote.rows_in == max(1, sum(1 for value in physical if not csv_blank(value)))
    without = load_file(tmp_path, spec, clean.encode() + raw_bytes)
    assert with_quote.rows_loaded >= without.rows_loaded - 1


@pytest.mark.parametrize("spec", CSV_SPECS, ids=spec_ids(CSV_SPECS))
@settings(PROFILE, max_examples=15)
@given(content=st.binary(max_size=300))
def test_random_bytes_as_csv_never_crash(tmp_path, spec, content):
    load = load_file(tmp_path, spec, content)
    lines = csv_physical_lines(content.decode("utf-8", errors="surrogateescape"))
    assert 1 <= load.rows_in <= max(1, sum(1 for line in lines if not csv_blank(line)))
