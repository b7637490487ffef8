"""The database: models, engine, Alembic migrations and the repository functions."""
