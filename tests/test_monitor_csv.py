"""Monitor CSV downloads: ``;``-separated with Dutch decimal commas, for Dutch Excel."""

from __future__ import annotations

import pandas as pd

from webapp.views.analyst import download, dutch_decimal


def test_floats_get_a_decimal_comma_and_other_cells_stay() -> None:
    assert dutch_decimal(15.67) == "15,67"
    assert dutch_decimal(0.00005) == "0,00005"  # never an exponent
    assert dutch_decimal(12.0) == "12"
    assert dutch_decimal(12) == 12
    assert dutch_decimal("<10") == "<10"


def test_a_csv_download_uses_semicolons_and_decimal_commas_throughout() -> None:
    frame = pd.DataFrame(
        {
            "maand": ["2026-01", "2026-02"],
            "signalen": [758, "<10"],
            "per 1.000": pd.Series([15.67, 3.5], dtype="Float64"),
            "aandeel": [0.157, "x"],
        }
    )
    body = download(frame, "signalen", "csv").body
    text = bytes(body).decode("utf-8-sig")
    assert text.splitlines() == [
        "maand;signalen;per 1.000;aandeel",
        "2026-01;758;15,67;0,157",
        "2026-02;<10;3,5;x",
    ]
