"""The Core table of a model (bulk writes live in ``connectors.database.bulk``)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table of a model: Core executemany is several times faster than ORM bulk."""
    return cast(Table, model.__table__)
