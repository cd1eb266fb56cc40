{{ config(materialized='table') }}

-- The demo's migration target: jaffle_shop customers. Its SQL follows the migration
-- customers_full_name (migrations/): the original (v1) shape until it contracts, the new one
-- after (and the original again once it is rolled back).
{% if expand_contract.migrated('customers_full_name') %}
select id, first_name || ' ' || last_name as full_name
from {{ ref('raw_customers') }}
{% else %}
select id, first_name, last_name
from {{ ref('raw_customers') }}
{% endif %}
