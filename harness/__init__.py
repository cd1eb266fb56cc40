"""Validation harness for zero-downtime migrations declared with the expand_contract dbt package."""

__version__ = "0.1.0"
