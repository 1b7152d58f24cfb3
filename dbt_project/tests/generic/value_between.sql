{#- Every non-null value lies in [min_value, max_value] (e.g. a score 0-100, a rate 0-1). -#}
{% test value_between(model, column_name, min_value, max_value) %}

select {{ column_name }}

from {{ model }}
where
    {{ column_name }} is not null
    and ({{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }})

{% endtest %}
