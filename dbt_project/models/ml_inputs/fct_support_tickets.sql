-- Tickets in their current state (as of as_of_date) with the account and the
-- feature they are about: a tag equal to a feature_key, else the
-- subject/description naming the feature.
with

tickets as (

    select * from {{ ref('stg_zendesk__tickets') }}

),

organizations as (

    select * from {{ ref('stg_zendesk__organizations') }}

),

features as (

    select * from {{ ref('stg_catalog__features') }}

),

known_tickets as (

    select
        tickets.*,
        {{ dbt.concat(
            ["coalesce(subject, '')", "' '", "coalesce(description, '')"]
        ) }} as ticket_text

    from tickets
    where {{ at_or_before_day('created_at', as_of_date()) }}

),

mentions as (

    {{ feature_mentions(
        'known_tickets',
        'ticket_id',
        'ticket_text',
        'features',
        tags_column='tags'
    ) }}

),

final as (

    select
        ----------  ids
        known_tickets.ticket_id,
        organizations.account_id,
        known_tickets.organization_id,
        known_tickets.requester_id,
        mentions.feature_key,

        ---------- attributes
        mentions.feature_match_method,
        known_tickets.subject,
        known_tickets.description,
        known_tickets.ticket_type as type,
        known_tickets.tags,
        known_tickets.status,
        known_tickets.priority,
        {{ is_bug_ticket('known_tickets.ticket_type', 'known_tickets.tags') }}
            as is_bug,
        {{ is_how_to_ticket(
            'known_tickets.ticket_type', 'known_tickets.tags'
        ) }} as is_how_to,

        ---------- dates
        known_tickets.created_at,
        known_tickets.updated_at

    from known_tickets
    left join organizations
        on known_tickets.organization_id = organizations.organization_id
    left join mentions
        on known_tickets.ticket_id = mentions.record_id

)

select * from final
