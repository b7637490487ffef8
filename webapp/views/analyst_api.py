"""The analysts' JSON API (bearer token, role ``analist``): the same suppressed tables and
pseudonymous households as the pages, nothing identifying."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Request

from connectors.database.users import User
from signals.monitor.households import select_households
from signals.monitor.households import timeline as household_timeline
from signals.monitor.suppression import label
from webapp.analyst_data import snapshot
from webapp.auth import api_user
from webapp.context import web_context
from webapp.views.analyst import (  # the pages and the API share their checks
    ROLE,
    checked_tables,
    explorer_page_data,
    household_key_of,
    monitor_query,
    table_view,
)

router = APIRouter(prefix="/api/analyse", tags=["analyse"])


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON objects: numbers stay numbers, hidden values their text, missing null."""
    out = []
    for row in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for name, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                clean[str(name)] = None
            elif isinstance(value, str):
                clean[str(name)] = value
            elif pd.isna(value):
                clean[str(name)] = None
            elif hasattr(value, "item"):
                clean[str(name)] = value.item()
            else:
                clean[str(name)] = value
        out.append(clean)
    return out


@router.get("/monitor")
def monitor(
    request: Request,
    van: str | None = None,
    tot: str | None = None,
    wijk: str | None = None,
    partnertype: str | None = None,
    _user: User = Depends(api_user(ROLE)),
) -> dict[str, Any]:
    """Every monitor table for the months ``van`` .. ``tot`` (JJJJ-MM), one wijk and partner
    type (default: all). Counts below the threshold are ``"<10"``, ``"x"`` protects them."""
    ctx = web_context(request)
    threshold = ctx.settings.suppression_threshold
    snap = snapshot(ctx)
    query = monitor_query(snap, van, tot, wijk, partnertype)
    tables = checked_tables(snap, query)
    return {
        "van": query.first,
        "tot": query.last,
        "wijk": query.wijk,
        "partnertype": query.partner_type,
        "afscherming": f"aantallen onder {threshold} als {label(threshold)!r}",
        "tabellen": {
            key: {
                "titel": table.title,
                "toelichting": table.note,
                "rijen": records(table_view(table, query, threshold)),
            }
            for key, table in tables.items()
        },
    }


@router.get("/huishoudens")
def households(request: Request, _user: User = Depends(api_user(ROLE))) -> dict[str, Any]:
    """Pseudonymous households; the filters and sorting of the explorer page."""
    ctx = web_context(request)
    snap = snapshot(ctx)
    filters, sort, descending, page = explorer_page_data(snap, request)
    chosen = select_households(snap.households, filters, sort, descending, page, 100)
    threshold = ctx.settings.suppression_threshold
    total: int | str = label(threshold) if 0 < chosen.total < threshold else chosen.total
    return {
        "totaal": total,
        "pagina": chosen.page,
        "paginas": chosen.pages,
        "rijen": records(chosen.rows),
    }


@router.get("/huishoudens/{ref}")
def household(request: Request, ref: str, _user: User = Depends(api_user(ROLE))) -> dict[str, Any]:
    """One household's signals with decisions, cases, contact attempts and tasks."""
    snap = snapshot(web_context(request))
    key = household_key_of(snap, ref)
    signals, cases, attempts, tasks = household_timeline(snap.data, snap.tasks, key)
    facts = snap.households[snap.households["huishouden"] == ref]
    return {
        "huishouden": records(facts)[0],
        "signalen": records(signals),
        "zaken": records(cases),
        "contactpogingen": records(attempts),
        "taken": records(tasks),
    }
