"""Write partner feedback (signals/feedback.py) as CSV for the partner."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DATE_FORMAT = "%d-%m-%Y"


def write_partner_feedback(feedback: pd.DataFrame, path: Path) -> Path:
    """CSV, UTF-8 with BOM, ``;``, dates dd-mm-jjjj: what the partner's Excel expects."""
    out = feedback[["signaal_id", "signaaldatum", "terugkoppeling"]].copy()
    out["signaaldatum"] = out["signaaldatum"].dt.strftime(DATE_FORMAT)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path
