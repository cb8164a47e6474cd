"""Persistence of run results with SQLModel: SQLite by default, PostgreSQL by URL; no Prefect here.

`tables` holds the SQLModel table models (they skip validation); `records` the pydantic models every write
passes through first; `database` the engine and automatic Alembic migrations; `repository` the operations.
"""
