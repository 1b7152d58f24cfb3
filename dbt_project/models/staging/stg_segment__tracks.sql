{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='message_id',
    on_schema_change='sync_all_columns',
    pre_hook="{{ event_window_hook() }}",
    post_hook="{{ delete_rows_of_redelivered_files() }}",
) }}

-- Delivery is at-least-once: keep one row per message_id, the earliest delivery
-- (then the earliest file and line), so reruns and re-deliveries never double
-- count. Incremental (macros/incremental_events.sql): only messages with a raw
-- row loaded since the last build, or held from a file re-delivered since, are
-- ranked again (over all their raw rows) and replace their row; a post-hook
-- drops rows a re-delivered file no longer has.
{%- set watermark = incremental_watermark() %}
{%- set audit = load_audit_relation() %}
with

{% if is_incremental() %}
changed_messages as (

    select message_id from {{ source('raw', 'product_events') }}
    where
        event_type = 'track'
        {%- if watermark is not none %}
            and _loaded_at
            > cast('{{ watermark }}' as {{ dbt.type_timestamp() }})
        {% endif %}
    {%- if watermark is not none and audit is not none %}
    union
    select message_id from {{ this }}
    where source_file in (
        select file_path from {{ audit }}
        where loaded_at > cast('{{ watermark }}' as {{ dbt.type_timestamp() }})
    )
    {%- endif %}

),
{% endif %}

source as (

    select * from {{ source('raw', 'product_events') }}
    where event_type = 'track'

),

to_rank as (

    select * from source
    {%- if is_incremental() %}
        where message_id in (
            select changed_messages.message_id from changed_messages
        )
    {%- endif %}

),

renamed as (

    select
        ----------  ids
        message_id,
        {{ source_id('user_id') }} as user_id,
        {{ source_id('group_id') }} as context_group_id,

        ---------- text
        event_name,
        properties_json,

        ---------- timestamps
        event_timestamp as event_at,
        cast(event_timestamp as date) as event_date,
        _delivery_date as delivered_on,

        ---------- lineage
        _source_file as source_file,
        _line_number as line_number,
        _loaded_at as loaded_at,

        row_number() over (
            partition by message_id
            order by _delivery_date, _source_file, _line_number
        ) as delivery_rank

    from to_rank

),

deduplicated as (

    select
        message_id,
        user_id,
        context_group_id,
        event_name,
        properties_json,
        event_at,
        event_date,
        delivered_on,
        source_file,
        line_number,
        loaded_at

    from renamed
    where delivery_rank = 1

)

select * from deduplicated
