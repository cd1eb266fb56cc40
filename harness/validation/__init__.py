"""Validation: snapshots compared (`compare`), the spec's checklist (`checklist`), Great
Expectations suites (`expectations`), and the whole validation of a migration (`validate`)."""
