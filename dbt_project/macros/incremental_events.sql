{#- Incremental event models (docs/dbt.md "Incremental models").

    The event chain (stg_segment__tracks -> int_track_events_attributed -> the
    daily usage and activity tables -> fct_feature_usage_daily,
    int_account_feature_adoption_daily) is incremental: a run recomputes whole
    days from a *window start* on and keeps the days before it. Each run
    records, per model, what it was built for in
    `intermediate.incremental_state` (as-of date, window start, the newest raw
    load it saw, when): the next run compares raw and that record to find the
    first day whose rows can differ.

    The window starts at the earliest of
    - min(previous as-of, this as-of) - var('late_event_lookback_days'): late
      events inside the lookback; a run for an EARLIER as-of date (backfill)
      also deletes every day after it;
    - the first event day of any raw event row loaded since the last build (late
      or re-delivered events and group calls, a dt= folder loaded late);
    - the first event day delivered between the previous and this as-of date
      (late events beyond the lookback, in both directions);
    - with file_lineage: the first event day this model holds from a file
      re-delivered since (rows a re-delivered file no longer has);
    - the window of every upstream model's run since this model's last build;
    - everything (1900-01-01) when the catalog was reloaded, or there is no
      state record yet. A full rebuild is `dbt build --full-refresh` (`uptake
      run --full-refresh`). -#}

{% macro incremental_state_relation() -%}
    {{- return(api.Relation.create(
        database=target.database,
        schema='intermediate',
        identifier='incremental_state'
    )) -}}
{%- endmacro %}

{% macro full_window_start() -%}
    {{- return('1900-01-01') -}}
{%- endmacro %}

{#- A raw table the window logic reads. Not through source(): dbt unit tests
    would then need fixtures for every such table; the source `raw` documents
    them all the same. -#}
{% macro raw_relation(identifier) -%}
    {{- return(api.Relation.create(
        database=target.database, schema='raw', identifier=identifier
    )) -}}
{%- endmacro %}

{#- The raw load ledger, or none on a warehouse whose raw tables were written
    without it. -#}
{% macro load_audit_relation() -%}
    {%- if not execute -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set relation = raw_relation('load_audit') -%}
    {{- return(adapter.get_relation(
        database=relation.database,
        schema=relation.schema,
        identifier=relation.identifier
    )) -}}
{%- endmacro %}

{#- The newest load raw holds now (SQL expression): the watermark the next run
    compares with. -#}
{% macro raw_watermark_sql() -%}
    {%- set audit = load_audit_relation() -%}
    {%- if audit is not none -%}
        (select max(loaded_at) from {{ audit }})
    {%- else -%}
        (select max(_loaded_at) from {{ raw_relation('product_events') }})
    {%- endif -%}
{%- endmacro %}

{#- The latest state record of the model being built: (as_of_date,
    raw_loaded_at, recorded_at) as strings, or none. -#}
{% macro last_incremental_state() -%}
    {%- set state = incremental_state_relation() -%}
    {%- set found = adapter.get_relation(
        database=state.database,
        schema=state.schema,
        identifier=state.identifier
    ) -%}
    {%- if found is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set result = run_query(
        "select cast(as_of_date as " ~ dbt.type_string()
        ~ "), cast(raw_loaded_at as " ~ dbt.type_string()
        ~ "), cast(recorded_at as " ~ dbt.type_string() ~ ") from " ~ state
        ~ " where model_name = '" ~ this.identifier
        ~ "' order by recorded_at desc limit 1"
    ) -%}
    {%- if result.rows | length == 0 -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(result.rows[0]) -}}
{%- endmacro %}

{#- The raw watermark of this model's last build (string), or none: then
    everything is new. -#}
{% macro incremental_watermark() -%}
    {%- if not execute or not is_incremental() -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set last = last_incremental_state() -%}
    {{- return(none if last is none else last[1]) -}}
{%- endmacro %}

{#- The first day to recompute (ISO string); full_window_start() when not
    incremental. -#}
{% macro event_window_start(upstream=[], file_lineage=false) -%}
    {%- if not execute or not is_incremental() -%}
        {{- return(full_window_start()) -}}
    {%- endif -%}
    {%- set audit = load_audit_relation() -%}
    {%- set events = raw_relation('product_events') -%}
    {%- set catalog = raw_relation('catalog_features') -%}
    {%- set last = last_incremental_state() -%}
    {%- if last is none or last[1] is none -%}
        {{- return(full_window_start()) -}}
    {%- endif -%}
    {%- set date = modules.datetime.date -%}
    {%- set as_of = date.fromisoformat(as_of_date_string()) -%}
    {%- set previous = date.fromisoformat(last[0][:10]) -%}
    {%- set low = [as_of, previous] | min -%}
    {%- set high = [as_of, previous] | max -%}
    {%- set lookback = modules.datetime.timedelta(
        days=var('late_event_lookback_days') | int
    ) -%}
    {%- set watermark = (
        "cast('" ~ last[1] ~ "' as " ~ dbt.type_timestamp() ~ ")"
    ) -%}
    {%- set query -%}
        select cast(min(first_day) as {{ dbt.type_string() }}) from (
            select min(cast(event_timestamp as date)) as first_day
            from {{ events }}
            where _loaded_at > {{ watermark }}
            {%- if low < high %}
            union all
            select min(cast(event_timestamp as date)) as first_day
            from {{ events }}
            where
                _delivery_date > cast('{{ low }}' as date)
                and _delivery_date <= cast('{{ high }}' as date)
            {%- endif %}
            union all
            select min(cast('{{ full_window_start() }}' as date)) as first_day
            from {{ catalog }}
            where _loaded_at > {{ watermark }}
            {%- if file_lineage and audit is not none %}
            union all
            select min(event_date) as first_day
            from {{ this }}
            where source_file in (
                select file_path from {{ audit }}
                where loaded_at > {{ watermark }}
            )
            {%- endif %}
            {%- if upstream %}
            union all
            select min(window_start) as first_day
            from {{ incremental_state_relation() }}
            where
                model_name in ('{{ upstream | join("', '") }}')
                and recorded_at
                > cast('{{ last[2] }}' as {{ dbt.type_timestamp() }})
            {%- endif %}
        ) as candidates
    {%- endset -%}
    {%- set changed = run_query(query).columns[0].values()[0] -%}
    {%- set start = low - lookback -%}
    {%- if changed is not none and date.fromisoformat(changed[:10]) < start -%}
        {%- set start = date.fromisoformat(changed[:10]) -%}
    {%- endif -%}
    {{- return(start | string) -}}
{%- endmacro %}

{#- Pre-hook of an incremental event model: record this run in the state table
    and, on an incremental run, delete the rows from the window start on (the
    model then inserts them again: delete + insert of whole days, so per-day
    distinct counts stay exact). The window is computed here before anything is
    written, so it equals the one the model's SQL was compiled with.
    `date_column` none: record only (staging replaces by message_id
    instead). -#}
{% macro event_window_hook(
    date_column=none, upstream=[], file_lineage=false
) -%}
    {%- set state = incremental_state_relation() -%}
    {%- set start = (
        event_window_start(upstream, file_lineage) if date_column else none
    ) -%}
    create schema if not exists {{ state.schema }};
    create table if not exists {{ state }} (
        model_name {{ dbt.type_string() }},
        as_of_date date,
        window_start date,
        raw_loaded_at {{ dbt.type_timestamp() }},
        recorded_at {{ dbt.type_timestamp() }}
    );
    insert into {{ state }} (
        model_name, as_of_date, window_start, raw_loaded_at, recorded_at
    )
    select
        '{{ this.identifier }}',
        {{ as_of_date() }},
        {% if start -%}
            cast('{{ start }}' as date)
        {%- else -%}
            cast(null as date)
        {%- endif %},
        {{ raw_watermark_sql() }},
        cast(
            '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'
            as {{ dbt.type_timestamp() }}
        );
    {%- if date_column and is_incremental() %}
    delete from {{ this }}
    where {{ date_column }} >= cast('{{ start }}' as date);
    {%- endif %}
{%- endmacro %}

{#- Post-hook of stg_segment__tracks: a row whose file was loaded again after
    the row was (a re-delivery that no longer holds that line, or a file refused
    since) is gone from raw. -#}
{% macro delete_rows_of_redelivered_files() -%}
    {%- set audit = load_audit_relation() -%}
    {%- if audit is not none and is_incremental() -%}
    delete from {{ this }} as held
    where exists (
        select 1 from {{ audit }} as audit
        where
            audit.file_path = held.source_file
            and audit.loaded_at > held.loaded_at
    )
    {%- else -%}
    select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}
