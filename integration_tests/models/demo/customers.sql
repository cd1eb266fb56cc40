{{ config(materialized='table') }}

-- The demo's migration target: jaffle_shop customers in their original (v1) shape.
select id, first_name, last_name
from {{ ref('raw_customers') }}
