{#- An id from a source system as text, trimmed: `001A ` in one export and
    `001A` in another are the same account. Loading already refuses a blank
    required id, so a trimmed id is never empty. -#}
{% macro source_id(column) -%}
    trim(cast({{ column }} as {{ dbt.type_string() }}))
{%- endmacro %}

{#- A picklist value in the spelling the models compare against: `active`,
    ` Active` and `ACTIVE` are `Active`; a value outside `spellings` is kept,
    trimmed (an open opportunity stage, for example). -#}
{% macro picklist_value(column, spellings) -%}
    case lower(trim({{ column }}))
        {%- for spelling in spellings %}
        when '{{ spelling | lower }}' then '{{ spelling }}'
        {%- endfor %}
        else trim({{ column }})
    end
{%- endmacro %}
