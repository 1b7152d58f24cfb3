"""What each landing-zone file holds and which `raw` table it lands in (docs/contract.md section 1).

One :class:`EntitySpec` per kind of file. The loader is generic: it extracts every
:class:`Field` as text (from a CSV header or a JSON key path), converts it to the field's kind,
quarantines the row when a required field is missing, a value does not convert, or an entity
check fails, and writes ``columns`` (in the order of architecture.md) to ``raw.<table>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["VARCHAR", "INTEGER", "DOUBLE", "DATE", "TIMESTAMP", "JSON", "LIST"]
FileFormat = Literal["csv", "jsonl"]

# Quarantine reason prefix for a value that is present but does not convert to its kind.
INVALID_REASON: dict[str, str] = {
    "INTEGER": "invalid_integer",
    "DOUBLE": "invalid_number",
    "DATE": "invalid_date",
    "TIMESTAMP": "unparseable_timestamp",
}

EVENT_TYPES = ("track", "identify", "group")
# Segment's other calls: valid messages Uptake does not use. They load (nothing delivered is
# lost or called bad) and staging reads only EVENT_TYPES.
UNUSED_EVENT_TYPES = ("page", "screen", "alias")
SUBSCRIPTION_STATUSES = ("Active", "Cancelled", "Expired")
RENEWAL_TYPES = ("Renewal", "Expansion", "Downgrade")
FEATURE_CATEGORIES = ("core", "advanced", "premium")
PRODUCT_COMPLEXITIES = ("low", "moderate", "high")
# How far past the delivery date a date may lie: what happened (events, creation) at most a
# year, what is planned (contract start and end, an opportunity's close) a multi-year term.
FUTURE_YEARS = 1
PLANNED_YEARS = 5


def negative(column: str, source: str) -> tuple[str, str]:
    return f'"{column}" < 0', f"negative_value:{source}"


def not_in(expression: str, values: tuple[str, ...], source: str) -> tuple[str, str]:
    """A value outside ``values`` (NULL passes: an optional value may be absent)."""
    return f"{expression} NOT IN {values!r}", f"unknown_value:{source}"


def not_a_picklist_value(column: str, values: tuple[str, ...], source: str) -> tuple[str, str]:
    """A picklist value outside ``values`` in any case, padded or not: ` active` is `Active`
    (staging writes the listed spelling, macro picklist_value)."""
    lowered = tuple(value.lower() for value in values)
    return not_in(f'lower(trim("{column}"))', lowered, source)


@dataclass(frozen=True)
class Field:
    """One value taken from a row: ``source`` is the CSV header or the JSON key path."""

    column: str
    source: str
    kind: Kind = "VARCHAR"
    required: bool = False
    # DATE/TIMESTAMP: the latest acceptable value is the delivery date plus this many years.
    years_ahead: int = FUTURE_YEARS


@dataclass(frozen=True)
class EntitySpec:
    source: str
    entity: str
    table: str
    file_format: FileFormat
    fields: tuple[Field, ...]
    # Table columns in order with their SQL types; a column is a field's converted value
    # unless ``expressions`` gives it an SQL expression over fields and ``_delivery_date``.
    columns: tuple[tuple[str, str], ...]
    expressions: dict[str, str] = field(default_factory=dict)
    # (SQL condition over fields and expressions, quarantine reason), checked in order after
    # required fields and conversions.
    checks: tuple[tuple[str, str], ...] = ()
    # Columns whose repetition makes a loaded row a duplicate (counted, kept in raw).
    natural_key: tuple[str, ...] = ()
    # SQL expressions that must be unique inside one file (a reference table such as the
    # catalog): the first row of a key loads, later ones are quarantined as duplicate_key:<name>.
    unique_in_file: tuple[str, ...] = ()
    unique_name: str = ""
    # File names (without extension) this entity is read from; None accepts any name.
    file_stems: tuple[str, ...] | None = None
    partitioned: bool = True

    @property
    def qualified_table(self) -> str:
        return f"raw.{self.table}"


def _v(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, "VARCHAR") for name in names)


PRODUCT_EVENTS = EntitySpec(
    source="product_events",
    entity="events",
    table="product_events",
    file_format="jsonl",
    fields=(
        Field("message_id", "messageId", required=True),
        Field("event_timestamp", "timestamp", "TIMESTAMP", required=True),
        Field("event_type", "type", required=True),
        Field("user_id", "userId"),
        Field("event_name", "event"),
        Field("context_group_id", "context.groupId"),
        Field("group_call_id", "groupId"),
        Field("properties_json", "properties", "JSON"),
        Field("traits_json", "traits", "JSON"),
    ),
    columns=(
        ("message_id", "VARCHAR"),
        ("event_type", "VARCHAR"),
        ("event_timestamp", "TIMESTAMP"),
        ("user_id", "VARCHAR"),
        ("event_name", "VARCHAR"),
        ("group_id", "VARCHAR"),
        ("properties_json", "VARCHAR"),
        ("traits_json", "VARCHAR"),
    ),
    # A track's account is context.groupId; a group call names it in groupId (Segment spec).
    expressions={
        "group_id": "CASE WHEN event_type = 'group' THEN group_call_id ELSE context_group_id END"
    },
    checks=(
        (f"event_type NOT IN {EVENT_TYPES + UNUSED_EVENT_TYPES!r}", "unknown_event_type"),
        # Adoption counts users: an anonymous call (only an anonymousId) belongs to nobody.
        (
            f"event_type IN {EVENT_TYPES!r} AND coalesce(trim(user_id), '') = ''",
            "missing_field:userId",
        ),
        ("event_type = 'track' AND event_name IS NULL", "missing_field:event"),
        ("event_type = 'group' AND group_call_id IS NULL", "missing_field:groupId"),
    ),
    natural_key=("message_id",),
)

CRM_ACCOUNTS = EntitySpec(
    source="crm",
    entity="accounts",
    table="crm_accounts",
    file_format="csv",
    file_stems=("accounts",),
    fields=(
        Field("id", "Id", required=True),
        Field("name", "Name"),
        Field("industry", "Industry"),
        Field("number_of_employees", "NumberOfEmployees", "INTEGER"),
        Field("billing_country", "BillingCountry"),
        Field("owner_id", "OwnerId"),
        Field("primary_use_case", "Primary_Use_Case__c"),
        Field("created_date", "CreatedDate", "DATE"),
    ),
    columns=(
        ("snapshot_date", "DATE"),
        *_v("id", "name", "industry"),
        ("number_of_employees", "INTEGER"),
        *_v("billing_country", "owner_id", "primary_use_case"),
        ("created_date", "DATE"),
    ),
    expressions={"snapshot_date": "_delivery_date"},
    checks=(negative("number_of_employees", "NumberOfEmployees"),),
    natural_key=("snapshot_date", "id"),
)

CRM_SUBSCRIPTIONS = EntitySpec(
    source="crm",
    entity="subscriptions",
    table="crm_subscriptions",
    file_format="csv",
    file_stems=("subscriptions",),
    fields=(
        Field("id", "Id", required=True),
        Field("account_id", "AccountId", required=True),
        Field("plan", "Plan__c"),
        Field("seats", "Seats__c", "INTEGER"),
        Field("arr", "ARR__c", "DOUBLE"),
        Field("start_date", "StartDate", "DATE", years_ahead=PLANNED_YEARS),
        Field("end_date", "EndDate", "DATE", years_ahead=PLANNED_YEARS),
        Field("status", "Status"),
    ),
    columns=(
        ("snapshot_date", "DATE"),
        *_v("id", "account_id", "plan"),
        ("seats", "INTEGER"),
        ("arr", "DOUBLE"),
        ("start_date", "DATE"),
        ("end_date", "DATE"),
        ("status", "VARCHAR"),
    ),
    expressions={"snapshot_date": "_delivery_date"},
    checks=(
        negative("seats", "Seats__c"),
        negative("arr", "ARR__c"),
        not_a_picklist_value("status", SUBSCRIPTION_STATUSES, "Status"),
    ),
    natural_key=("snapshot_date", "id"),
)

CRM_RENEWALS = EntitySpec(
    source="crm",
    entity="renewals",
    table="crm_renewals",
    file_format="csv",
    file_stems=("renewals",),
    fields=(
        Field("id", "Id", required=True),
        Field("account_id", "AccountId", required=True),
        Field("close_date", "CloseDate", "DATE", years_ahead=PLANNED_YEARS),
        Field("type", "Type"),
        Field("stage_name", "StageName"),
        Field("amount", "Amount", "DOUBLE"),
    ),
    columns=(
        ("snapshot_date", "DATE"),
        *_v("id", "account_id"),
        ("close_date", "DATE"),
        *_v("type", "stage_name"),
        ("amount", "DOUBLE"),
    ),
    expressions={"snapshot_date": "_delivery_date"},
    # StageName is free text: Closed Won, Closed Lost or any open stage. A Downgrade's Amount
    # is the ARR it gives up, negative by Salesforce habit (the simulator writes it so too).
    checks=(
        not_a_picklist_value("type", RENEWAL_TYPES, "Type"),
        ("amount < 0 AND lower(trim(\"type\")) <> 'downgrade'", "negative_value:Amount"),
    ),
    natural_key=("snapshot_date", "id"),
)

SUPPORT_ORGANIZATIONS = EntitySpec(
    source="support",
    entity="organizations",
    table="support_organizations",
    file_format="jsonl",
    file_stems=("organizations",),
    fields=(
        Field("id", "id", required=True),
        Field("external_id", "external_id"),
        Field("name", "name"),
    ),
    columns=_v("id", "external_id", "name"),
    # An organization reappears in later exports when it changes: only a repeat inside one
    # delivery is a duplicate.
    natural_key=("_delivery_date", "id"),
)

SUPPORT_TICKETS = EntitySpec(
    source="support",
    entity="tickets",
    table="support_tickets",
    file_format="jsonl",
    file_stems=("tickets",),
    fields=(
        Field("id", "id", required=True),
        Field("organization_id", "organization_id"),
        Field("requester_id", "requester_id"),
        Field("subject", "subject"),
        Field("description", "description"),
        Field("status", "status"),
        Field("priority", "priority"),
        Field("type", "type"),
        Field("tags", "tags", "LIST"),
        Field("created_at", "created_at", "TIMESTAMP"),
        Field("updated_at", "updated_at", "TIMESTAMP"),
    ),
    columns=(
        *_v("id", "organization_id", "requester_id", "subject", "description"),
        *_v("status", "priority", "type", "tags"),
        ("created_at", "TIMESTAMP"),
        ("updated_at", "TIMESTAMP"),
    ),
    # A ticket reappears whenever it changes; the same version twice is a duplicate.
    natural_key=("id", "updated_at"),
)

CS_NOTES = EntitySpec(
    source="cs",
    entity="notes",
    table="cs_notes",
    file_format="jsonl",
    file_stems=("notes",),
    fields=(
        Field("id", "id", required=True),
        Field("account_id", "account_id", required=True),
        Field("author", "author"),
        Field("created_at", "created_at", "TIMESTAMP"),
        Field("channel", "channel"),
        Field("body", "body"),
    ),
    columns=(
        *_v("id", "account_id", "author"),
        ("created_at", "TIMESTAMP"),
        *_v("channel", "body"),
    ),
    natural_key=("id",),
)

CS_INTERVENTIONS = EntitySpec(
    source="cs",
    entity="interventions",
    table="cs_interventions",
    file_format="csv",
    file_stems=("interventions",),
    fields=(
        Field("intervention_id", "intervention_id", required=True),
        Field("account_id", "account_id", required=True),
        Field("feature_key", "feature_key"),
        Field("type", "type"),
        Field("owner", "owner"),
        Field("started_at", "started_at", "TIMESTAMP"),
    ),
    columns=(
        *_v("intervention_id", "account_id", "feature_key", "type", "owner"),
        ("started_at", "TIMESTAMP"),
    ),
    natural_key=("intervention_id",),
)

CATALOG_FEATURES = EntitySpec(
    source="catalog",
    entity="features",
    table="catalog_features",
    file_format="csv",
    file_stems=("features",),
    partitioned=False,
    fields=(
        Field("feature_key", "feature_key", required=True),
        Field("feature_name", "feature_name"),
        Field("category", "category"),
        Field("events", "events"),
        # The adoption rule and the gap's timing: no default could stand in for either.
        Field("active_min_events_30d", "active_min_events_30d", "INTEGER", required=True),
        Field("expected_days_to_adopt", "expected_days_to_adopt", "INTEGER", required=True),
        Field("value_weight", "value_weight", "DOUBLE"),  # absent: 1 (staging)
    ),
    columns=(
        *_v("feature_key", "feature_name", "category", "events"),
        ("active_min_events_30d", "INTEGER"),
        ("expected_days_to_adopt", "INTEGER"),
        ("value_weight", "DOUBLE"),
    ),
    # Staging matches keys trimmed and case-insensitively (and lower-cases categories): the
    # checks judge them the same way.
    checks=(
        not_in("lower(trim(category))", FEATURE_CATEGORIES, "category"),
        negative("active_min_events_30d", "active_min_events_30d"),
        negative("expected_days_to_adopt", "expected_days_to_adopt"),
        ("value_weight <= 0", "non_positive_value:value_weight"),
    ),
    natural_key=("feature_key",),
    unique_in_file=("lower(trim(feature_key))",),
    unique_name="feature_key",
)

CATALOG_PLAN_FEATURES = EntitySpec(
    source="catalog",
    entity="plan_features",
    table="catalog_plan_features",
    file_format="csv",
    file_stems=("plan_features",),
    partitioned=False,
    fields=(
        Field("plan", "plan", required=True),
        Field("feature_key", "feature_key", required=True),
    ),
    columns=_v("plan", "feature_key"),
    # Loaded after features.csv (ENTITIES order), so the catalog it names is in raw already.
    checks=(
        (
            "lower(trim(feature_key)) NOT IN (SELECT lower(trim(c.feature_key)) "
            "FROM raw.catalog_features AS c WHERE c.feature_key IS NOT NULL)",
            "unknown_feature:feature_key",
        ),
    ),
    natural_key=("plan", "feature_key"),
    unique_in_file=("lower(trim(plan))", "lower(trim(feature_key))"),
    unique_name="plan,feature_key",
)

CATALOG_PRODUCT = EntitySpec(
    source="catalog",
    entity="product",
    table="catalog_product",
    file_format="csv",
    file_stems=("product",),
    partitioned=False,
    fields=(Field("key", "key", required=True), Field("value", "value")),
    columns=_v("key", "value"),
    checks=(
        (
            "lower(trim(\"key\")) = 'complexity' "
            f'AND lower(trim("value")) NOT IN {PRODUCT_COMPLEXITIES!r}',
            "unknown_value:value",
        ),
    ),
    natural_key=("key",),
    unique_in_file=('lower(trim("key"))',),
    unique_name="key",
)

ENTITIES: tuple[EntitySpec, ...] = (
    CATALOG_FEATURES,
    CATALOG_PLAN_FEATURES,
    CATALOG_PRODUCT,
    PRODUCT_EVENTS,
    CRM_ACCOUNTS,
    CRM_SUBSCRIPTIONS,
    CRM_RENEWALS,
    SUPPORT_ORGANIZATIONS,
    SUPPORT_TICKETS,
    CS_NOTES,
    CS_INTERVENTIONS,
)

SOURCES: tuple[str, ...] = tuple(dict.fromkeys(spec.source for spec in ENTITIES))


def split_file_name(name: str) -> tuple[str, str, bool] | None:
    """``"tickets.jsonl.gz"`` -> ``("tickets", "jsonl", True)``; None for other formats."""
    compressed = name.endswith(".gz")
    base = name[: -len(".gz")] if compressed else name
    for file_format in ("jsonl", "csv"):
        if base.endswith("." + file_format) and len(base) > len(file_format) + 1:
            return base[: -len(file_format) - 1], file_format, compressed
    return None


def spec_for(source: str, file_name: str) -> EntitySpec | None:
    """The entity a file under ``source`` holds, judged by its name, or None."""
    parts = split_file_name(file_name)
    if parts is None:
        return None
    stem, file_format, _ = parts
    for spec in ENTITIES:
        if spec.source != source or spec.file_format != file_format:
            continue
        if spec.file_stems is None or stem in spec.file_stems:
            return spec
    return None


def expected_files(raw_table: str) -> str | None:
    """Where the landing zone holds a raw table's files (``crm/dt=*/renewals.csv``), or None
    for a table the loader does not fill."""
    spec = next((s for s in ENTITIES if s.qualified_table == raw_table), None)
    if spec is None:
        return None
    extension = "csv" if spec.file_format == "csv" else "jsonl"
    names = [f"{stem}.{extension}" for stem in spec.file_stems or ("*",)]
    folder = f"{spec.source}/dt=*/" if spec.partitioned else f"{spec.source}/"
    return " or ".join(folder + name for name in names)
