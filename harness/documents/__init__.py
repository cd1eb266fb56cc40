"""Documents the tool generates, built from the lifecycle steps' own descriptions and the
journal's typed figures: the migration plan (`plan`) and the restore script (`restore_script`)."""
