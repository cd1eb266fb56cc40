"""The migration lifecycle: planned → backed_up → expanded → backfilled → validated → switched →
contracted, and rollback from any state. One module per step (`preflight`, `backup`, `expand`,
`backfill`, `settle`, `switch`, `contract`, `rollback`), each with its run and its description;
`state` holds the states and their transitions; `migration.Migration` is the entry point.
Orchestration only: every statement is a macro call."""
