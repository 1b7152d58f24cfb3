"""The set-based half of a load: SQL that types a batch of rows and names what is wrong.

Input: a relation of text values (``file_id, line_number, record, pre_reason, src_<field>``
for CSV, or ``file_id, line_number, line, pre_reason`` for JSON lines, from which the fields
are extracted here) and ``batch_files (file_id, file_path, delivery_date)``.
Output columns: ``file_id, line_number, reason, record`` and the entity's table columns.
``reason`` is NULL for a loadable row; otherwise the first failing rule, in this order:
a reason set while reading (invalid JSON, CSV shape), a missing required field, a JSON value of
the wrong type, a value that does not convert, a date out of range, an entity check, a key
repeated inside its file (reference files only).
"""

from __future__ import annotations

import json

from uptake.extract.specs import INVALID_REASON, EntitySpec, Field

_NEWLINES = "chr(13) || chr(10)"
# Empty or whitespace-only text. The regex runs only on text starting with a blank or control
# character: measured 20% off the whole event parse against a regex on every value.
_BLANK = "({0} = '' OR (ascii({0}) <= 32 AND regexp_full_match({0}, '\\s*')))"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json_path(source: str) -> str:
    return "$." + ".".join(f'"{part}"' for part in source.split("."))


def _is_document(field: Field) -> bool:
    return field.kind in ("JSON", "LIST")


def _typed(field: Field) -> str:
    """SQL converting ``src_<column>`` (text, or JSON for documents) to the field's kind."""
    s = f"src_{field.column}"
    number = f"try_cast({s} AS DOUBLE)"
    instant = f"timezone('UTC', try_cast({s} AS TIMESTAMPTZ))"
    return {
        "VARCHAR": s,
        # Reject 12.5 seats instead of rounding it; accept 12, 12.0 and 1e3.
        "INTEGER": f"CASE WHEN {number} = floor({number}) THEN try_cast({s} AS INTEGER) END",
        "DOUBLE": f"CASE WHEN isfinite({number}) THEN {number} END",
        # ISO datetimes are converted to UTC first, then cut to their date.
        "DATE": f"coalesce(CAST({instant} AS DATE), try_cast({s} AS DATE))",
        "TIMESTAMP": instant,
        "JSON": f"CAST({s} AS VARCHAR)",
        # A list of tags, `|`-joined. Tags hold no comma or space (Zendesk turns a space into
        # `_`), so one string of them, as exports meant for spreadsheets write it
        # ("how-to, billing"), is split into the same tags.
        "LIST": (
            f"CASE json_type({s}) WHEN 'ARRAY' "
            f"THEN nullif(array_to_string(from_json({s}, '[\"VARCHAR\"]'), '|'), '') "
            f"WHEN 'VARCHAR' THEN nullif(trim(regexp_replace(json_extract_string({s}, '$'), "
            "'[,\\s]+', '|', 'g'), '|'), '') "
            f"ELSE json_extract_string({s}, '$') END"
        ),
    }[field.kind]


def _json_structure(spec: EntitySpec) -> dict[str, object]:
    """The JSON shape ``from_json`` extracts: key paths as nested objects, leaves as types.

    Scalars come out as text exactly like ``json_extract_string`` (a nested object or array
    as its JSON text); documents as JSON text. One parse per line gives every field.
    """
    tree: dict[str, object] = {}
    for f in spec.fields:
        *parents, leaf = f.source.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})  # type: ignore[assignment]
            if not isinstance(node, dict):
                raise ValueError(f"{spec.entity}: {f.source} is both a value and an object")
        if leaf in node:
            raise ValueError(f"{spec.entity}: {f.source} is extracted twice")
        node[leaf] = "JSON" if _is_document(f) else "VARCHAR"
    return tree


def _struct_path(source: str) -> str:
    return "doc" + "".join(f'."{part}"' for part in source.split("."))


def _jsonl_fields(spec: EntitySpec, relation: str) -> str:
    structure = _quote(json.dumps(_json_structure(spec), separators=(",", ":")))
    projections = ", ".join(f"{_struct_path(f.source)} AS src_{f.column}" for f in spec.fields)
    # Valid JSON whose first non-blank character is "{" is an object: no second parse for
    # json_type. A line that parses is never blank, so only the others pay the blank test.
    first = f"ltrim(line, chr(32) || chr(9) || {_NEWLINES})"
    return f"""
lines AS (
    SELECT file_id, line_number, line, pre_reason,
        CASE WHEN pre_reason IS NULL THEN json_valid(line) END AS valid
    FROM {relation}
),
parsed AS (
    SELECT
        file_id,
        line_number,
        line AS record,
        coalesce(pre_reason, CASE
            WHEN NOT valid THEN 'invalid_json'
            WHEN NOT (starts_with(line, '{{') OR starts_with({first}, '{{'))
                THEN 'not_a_json_object'
        END) AS pre_reason
    FROM lines
    -- blank lines are not records
    WHERE pre_reason IS NOT NULL OR valid OR NOT {_BLANK.format("line")}
),
extracted AS (
    SELECT file_id, line_number, record, pre_reason,
        from_json(CASE WHEN pre_reason IS NULL THEN record END, {structure}) AS doc
    FROM parsed
),
fields AS (
    SELECT file_id, line_number, record, pre_reason, {projections}
    FROM extracted
)"""


def _csv_fields(spec: EntitySpec, relation: str) -> str:
    sources = ", ".join(f"src_{f.column}" for f in spec.fields)
    return f"""
fields AS (
    SELECT file_id, line_number, record, pre_reason, {sources}
    FROM {relation}
)"""


def _empty_to_null(field: Field) -> str:
    s = f"src_{field.column}"
    if _is_document(field):
        return f"CASE WHEN json_type({s}) = 'NULL' THEN NULL ELSE {s} END AS {s}"
    return f"CASE WHEN {_BLANK.format(s)} THEN NULL ELSE {s} END AS {s}"


def _wrong_json_type(field: Field) -> str:
    """An object, array or boolean where a JSON line should hold a string (or a number).

    ``json_extract_string`` turns such a value into text, so it would load as a bogus id; the
    cheap first-character test keeps the second parse of the line to the rare suspects.
    """
    s = f"src_{field.column}"
    return (
        f"CASE WHEN ascii({s}) IN (91, 123) OR {s} IN ('true', 'false') "
        f"THEN json_type(record, {_quote(_json_path(field.source))}) "
        "IN ('OBJECT', 'ARRAY', 'BOOLEAN') END"
    )


def _out_of_range(field: Field) -> str:
    """On or before 1970-01-01 (DuckDB reads ``epoch`` and ``-infinity`` as such dates) or
    more than ``years_ahead`` past the delivery date (today for files without one)."""
    column = f'"{field.column}"'
    latest = (
        "CAST(coalesce(_delivery_date, current_date) AS TIMESTAMP) "
        f"+ INTERVAL {field.years_ahead} YEAR"
    )
    if field.kind == "DATE":
        return f"({column} <= DATE '1970-01-01' OR {column} > CAST({latest} AS DATE))"
    return f"({column} <= TIMESTAMP '1970-01-01' OR {column} > {latest})"


def _reason(spec: EntitySpec) -> str:
    rules = [
        f"WHEN src_{f.column} IS NULL THEN {_quote('missing_field:' + f.source)}"
        for f in spec.fields
        if f.required
    ]
    if spec.file_format == "jsonl":
        rules += [
            f"WHEN {_wrong_json_type(f)} THEN {_quote('wrong_json_type:' + f.source)}"
            for f in spec.fields
            if f.kind == "VARCHAR"
        ]
    rules += [
        f'WHEN src_{f.column} IS NOT NULL AND "{f.column}" IS NULL '
        f"THEN {_quote(INVALID_REASON[f.kind] + ':' + f.source)}"
        for f in spec.fields
        if f.kind in INVALID_REASON
    ]
    rules += [
        f"WHEN {_out_of_range(f)} THEN {_quote('date_out_of_range:' + f.source)}"
        for f in spec.fields
        if f.kind in ("DATE", "TIMESTAMP")
    ]
    rules += [f"WHEN {condition} THEN {_quote(reason)}" for condition, reason in spec.checks]
    if not rules:
        return "pre_reason"
    return "coalesce(pre_reason, CASE " + " ".join(rules) + " END)"


def _unique_in_file(spec: EntitySpec) -> str:
    """``reason``, or ``duplicate_key:<name>`` for a later good row repeating a key in its file."""
    if not spec.unique_in_file:
        return "reason"
    keys = ", ".join(spec.unique_in_file)
    return (
        "CASE WHEN reason IS NULL AND row_number() OVER "
        f"(PARTITION BY file_id, reason IS NULL, {keys} ORDER BY line_number) > 1 "
        f"THEN {_quote('duplicate_key:' + spec.unique_name)} ELSE reason END"
    )


def _record(spec: EntitySpec) -> str:
    if spec.file_format == "jsonl":
        return f"rtrim(record, {_NEWLINES})"
    pairs = ", ".join(f"{_quote(f.source)}, src_{f.column}" for f in spec.fields)
    return f"coalesce(record, CAST(json_object({pairs}) AS VARCHAR))"


def batch_rows_sql(spec: EntitySpec, relation: str) -> str:
    """SELECT typing and checking every row of ``relation`` (see the module docstring)."""
    fields = (
        _jsonl_fields(spec, relation)
        if spec.file_format == "jsonl"
        else _csv_fields(spec, relation)
    )
    normalized = ", ".join(_empty_to_null(f) for f in spec.fields)
    typed = ", ".join(f'{_typed(f)} AS "{f.column}"' for f in spec.fields)
    derived = "".join(f', {sql} AS "{column}"' for column, sql in spec.expressions.items())
    columns = ", ".join(f'"{column}"' for column, _ in spec.columns)
    return f"""
WITH {fields},
normalized AS (
    SELECT n.file_id, n.line_number, n.record, n.pre_reason, b.delivery_date AS _delivery_date,
        {normalized}
    FROM fields AS n
    JOIN batch_files AS b USING (file_id)
),
typed AS (
    SELECT *, {typed}
    FROM normalized
),
derived AS (
    SELECT *{derived}
    FROM typed
),
checked AS (
    SELECT * REPLACE ({_unique_in_file(spec)} AS reason)
    FROM (SELECT *, {_reason(spec)} AS reason FROM derived)
)
SELECT
    file_id,
    line_number,
    reason,
    CASE WHEN reason IS NOT NULL THEN {_record(spec)} END AS record,
    {columns}
FROM checked"""
