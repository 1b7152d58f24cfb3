{#- Feature mentioned by a record (ticket or note): a tag equal to a feature_key
    (case-insensitively) wins; otherwise the text containing a feature_name
    (case-insensitive, the longest name first, then the feature_key); otherwise
    no row. Returns
    (record_id, feature_key, feature_match_method).

    records:         relation/CTE with the id column, the text and (optionally)
                     `|`-joined tags
    features:        stg_catalog__features -#}
{% macro feature_mentions(
    records, id_column, text_expression, features, tags_column=none
) -%}
    select
        record_id,
        feature_key,
        feature_match_method

    from (
        select
            record_id,
            feature_key,
            feature_match_method,
            row_number() over (
                partition by record_id
                order by match_priority, name_length desc, feature_key
            ) as match_rank

        from (
            {%- if tags_column %}
            select
                tagged.record_id,
                mentioned.feature_key,
                'tag' as feature_match_method,
                1 as match_priority,
                0 as name_length

            from (
                select
                    {{ id_column }} as record_id,
                    {{ split_to_rows(tags_column, '|') }} as tag

                from {{ records }}
                where {{ tags_column }} is not null
            ) as tagged
            inner join {{ features }} as mentioned
                on lower(trim(tagged.tag)) = lower(mentioned.feature_key)

            union all
            {%- endif %}

            select
                texts.{{ id_column }} as record_id,
                mentioned.feature_key,
                'text' as feature_match_method,
                2 as match_priority,
                {{ dbt.length('mentioned.feature_name') }} as name_length

            from {{ records }} as texts
            inner join {{ features }} as mentioned
                on
                    mentioned.feature_name is not null
                    and {{ dbt.position(
                        'lower(mentioned.feature_name)',
                        'lower(' ~ text_expression ~ ')'
                    ) }} > 0
        ) as candidates
    ) as ranked
    where match_rank = 1
{%- endmacro %}

{#- Ticket intents from Zendesk type and tags (`|`-joined). -#}
{% macro is_bug_ticket(ticket_type, tags) -%}
    (
        coalesce(lower({{ ticket_type }}), '') in ('problem', 'incident')
        or {{ dbt.concat(
            ["'|'", "lower(coalesce(" ~ tags ~ ", ''))", "'|'"]
        ) }} like '%|bug|%'
    )
{%- endmacro %}

{% macro is_how_to_ticket(ticket_type, tags) -%}
    (
        coalesce(lower({{ ticket_type }}), '') = 'question'
        or {{ dbt.concat(
            ["'|'", "lower(coalesce(" ~ tags ~ ", ''))", "'|'"]
        ) }} like '%|how_to|%'
        or {{ dbt.concat(
            ["'|'", "lower(coalesce(" ~ tags ~ ", ''))", "'|'"]
        ) }} like '%|how-to|%'
    )
{%- endmacro %}

{#- A timestamp on or before the end of a day. -#}
{% macro at_or_before_day(timestamp_expression, day) -%}
    ({{ timestamp_expression }} < {{ add_days(day, 1) }})
{%- endmacro %}
