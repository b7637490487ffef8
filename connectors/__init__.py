"""All I/O of vroegsignaal: partner readers, the database, the vault, exports and the CLI."""
