-- CSM notes up to as_of_date with the feature they mention (the body naming a
-- feature), if any.
with

notes as (

    select * from {{ ref('stg_cs__notes') }}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

known_notes as (

    select * from notes
    where {{ at_or_before_day('created_at', as_of_date()) }}

),

mentions as (

    {{ feature_mentions(
        'known_notes', 'note_id', "coalesce(body, '')", 'features'
    ) }}

),

final as (

    select
        ----------  ids
        known_notes.note_id,
        known_notes.account_id,
        mentions.feature_key,

        ---------- attributes
        mentions.feature_match_method,
        known_notes.author,
        known_notes.channel,
        known_notes.body,

        ---------- dates
        known_notes.created_at

    from known_notes
    left join mentions
        on known_notes.note_id = mentions.record_id

)

select * from final
