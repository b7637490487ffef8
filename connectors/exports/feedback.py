"""Write partner feedback (signals/feedback.py) as CSV for the partner."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from connectors.exports.columns import safe_text

DATE_FORMAT = "%d-%m-%Y"


def write_partner_feedback(feedback: pd.DataFrame, path: Path) -> Path:
    """CSV, UTF-8 with BOM, ``;``, dates dd-mm-jjjj: what the partner's Excel expects."""
    out = feedback[["signaal_id", "signaaldatum", "terugkoppeling"]].copy()
    out["signaaldatum"] = out["signaaldatum"].dt.strftime(DATE_FORMAT)
    # The partner's own id, whatever it holds, never becomes a formula in the partner's Excel.
    out["signaal_id"] = out["signaal_id"].map(safe_text, na_action="ignore")
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path
