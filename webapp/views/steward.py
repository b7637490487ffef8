"""The data steward: quarantined rows and refused files, a raw row (audited), correcting and
re-submitting a row, dismissing one with a reason."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from connectors.database.engine import session_scope
from connectors.database.quarantine_view import (
    columns_of_codes,
    open_raw_row,
    quarantine_row,
    quarantine_rows,
    write_correction,
)
from connectors.database.users import User
from connectors.quarantine import ResubmissionError, dismiss, refused_files
from webapp.amounts import AMOUNT_HINT, AmbiguousAmountError, amount_columns, respell_amount
from webapp.auth import checked_form, require
from webapp.context import WebContext, web_context
from webapp.pages import render

router = APIRouter(include_in_schema=False)
STEWARD = require("gegevensbeheerder")


def partner_columns(ctx: WebContext, partner: str) -> dict[str, str]:
    """Canonical column -> the partner's own column name (from the catalog)."""
    try:
        return dict(ctx.res.catalog.get(partner).columns)
    except KeyError:
        return {}


def partner_amounts(ctx: WebContext, partner: str) -> tuple[set[str], str]:
    """The partner's amount columns (own names) and the decimal separator it reads."""
    try:
        spec = ctx.res.catalog.get(partner)
    except KeyError:
        return set(), "."
    return amount_columns(spec), spec.decimal


def failing(row: dict[str, Any], mapping: dict[str, str]) -> list[str]:
    """The row's failing canonical columns: from its expectations, else from its reason."""
    named = list(row["columns"])
    return named + [
        c for c in columns_of_codes(row["reason_code"], list(mapping)) if c not in named
    ]


@router.get("/quarantaine")
def quarantine_page(
    request: Request, user: User = Depends(STEWARD), ctx: WebContext = Depends(web_context)
) -> Response:
    partners = sorted(ctx.res.catalog.partners)
    chosen = request.query_params.get("partner", "")
    errors = {}
    if chosen and chosen not in partners:
        errors["partner"] = "Kies een partner uit de lijst."
        chosen = ""
    with session_scope(ctx.engine) as session:
        rows = quarantine_rows(session, "open", chosen or None)
        files = refused_files(session)
    for row in rows:
        mapping = partner_columns(ctx, row["partner"])
        row["partner_columns"] = [mapping.get(name, name) for name in failing(row, mapping)]
    return render(
        request,
        "quarantine.html",
        title="Quarantaine",
        rows=rows,
        files=files,
        partners=partners,
        chosen=chosen,
        errors=errors,
        done=request.query_params.get("klaar"),
    )


def _row_or_404(ctx: WebContext, quarantine_id: int) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        row = quarantine_row(session, quarantine_id)
    if row is None:
        raise HTTPException(404, "Deze regel staat niet in de quarantaine.")
    return row


def _row_page(
    request: Request,
    user: User,
    ctx: WebContext,
    quarantine_id: int,
    status_code: int = 200,
    **values: Any,
) -> Response:
    row = _row_or_404(ctx, quarantine_id)
    with session_scope(ctx.engine) as session:
        raw = open_raw_row(session, ctx.res.raw_vault, quarantine_id, user.actor)
    mapping = partner_columns(ctx, row["partner"])
    wrong = {mapping.get(name, name) for name in failing(row, mapping)}
    corrected = values.pop("corrected", {})
    amounts, _decimal = partner_amounts(ctx, row["partner"])
    return render(
        request,
        "quarantine_row.html",
        status_code,
        title=f"Quarantaineregel {quarantine_id}",
        row=row,
        raw=raw,
        fields=[
            (
                name,
                corrected.get(name, value),
                name in wrong,
                AMOUNT_HINT if name in amounts else "",
            )
            for name, value in raw.items()
        ],
        errors=values.pop("errors", {}),
        dismiss_errors=values.pop("dismiss_errors", {}),
        **values,
    )


@router.get("/quarantaine/{quarantine_id}")
def quarantine_row_page(
    request: Request,
    quarantine_id: int,
    user: User = Depends(STEWARD),
    ctx: WebContext = Depends(web_context),
) -> Response:
    return _row_page(request, user, ctx, quarantine_id)


@router.post("/quarantaine/{quarantine_id}/herindienen")
def resubmit_row(
    request: Request,
    quarantine_id: int,
    form: FormData = Depends(checked_form),
    user: User = Depends(STEWARD),
    ctx: WebContext = Depends(web_context),
) -> Response:
    """Load the corrected row like a delivery (validated again) and triage it at once."""
    from flows.resubmit import resubmit

    row = _row_or_404(ctx, quarantine_id)
    if row["status"] != "open":
        raise HTTPException(404, "Deze regel staat niet (meer) open in de quarantaine.")
    with session_scope(ctx.engine) as session:
        raw = open_raw_row(session, ctx.res.raw_vault, quarantine_id, user.actor)
    # Only the row's own fields are taken: a posted extra field is no column of the partner.
    corrected = {name: str(form.get(f"veld:{name}") or "").strip() for name in raw}
    amounts, decimal = partner_amounts(ctx, row["partner"])
    try:
        # A steward may type a Dutch amount; the row is read back in the partner's spelling.
        respelled = {
            name: respell_amount(value, decimal) if name in amounts else value
            for name, value in corrected.items()
        }
    except AmbiguousAmountError as error:
        return _row_page(
            request, user, ctx, quarantine_id, 400, corrected=corrected,
            errors={"herindienen": f"Het bedrag {error} is niet eenduidig: schrijf duizend als "
                    "1000 of 1.000,00 en een bedrag met decimalen met een komma, zoals 1,25."},
        )  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="vs-herindiening-"))
    try:
        path = write_correction(row, respelled, folder / f"correctie_{quarantine_id}.csv")
        outcome = resubmit(ctx.settings, path, ctx.today())
    except (ResubmissionError, KeyError) as error:
        return _row_page(
            request, user, ctx, quarantine_id, 400, corrected=corrected,
            errors={"herindienen": f"Niet ingelezen: {error}"},
        )  # fmt: skip
    finally:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    with session_scope(ctx.engine) as session:
        from connectors.database.runs import audit

        audit(
            session,
            user.actor,
            "resubmit",
            "quarantine",
            str(quarantine_id),
            {
                "accepted": outcome.figures.accepted,
                "quarantined": outcome.figures.quarantined,
                "duplicates": len(outcome.duplicates),
            },
        )
    if outcome.duplicates:
        done = "dubbel"
    elif outcome.figures.accepted:
        done = "geaccepteerd"
    else:
        done = "opnieuw"
    return RedirectResponse(f"/quarantaine?klaar={done}", 303)


@router.post("/quarantaine/{quarantine_id}/afwijzen")
def dismiss_row(
    request: Request,
    quarantine_id: int,
    form: FormData = Depends(checked_form),
    user: User = Depends(STEWARD),
    ctx: WebContext = Depends(web_context),
) -> Response:
    _row_or_404(ctx, quarantine_id)
    reason = str(form.get("reden") or "").strip()
    if not reason:
        return _row_page(
            request, user, ctx, quarantine_id, 400,
            dismiss_errors={"reden": "Vul in waarom de regel niet wordt geladen."},
        )  # fmt: skip
    try:
        with session_scope(ctx.engine) as session:
            dismiss(session, [quarantine_id], reason[:1000], actor=user.actor)
    except ResubmissionError:
        raise HTTPException(404, "Deze regel staat niet (meer) open in de quarantaine.") from None
    return RedirectResponse("/quarantaine?klaar=afgewezen", 303)
