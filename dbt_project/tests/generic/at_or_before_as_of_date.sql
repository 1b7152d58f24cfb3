{#- Point in time: no row carries a date after the build's as_of_date. -#}
{% test at_or_before_as_of_date(model, column_name) %}

select {{ column_name }}

from {{ model }}
where {{ column_name }} > {{ as_of_date() }}

{% endtest %}
