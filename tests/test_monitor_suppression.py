"""Small-count suppression: primary "<10", and secondary so totals do not give a cell back."""

from __future__ import annotations

import pandas as pd

from signals.monitor.cube import Table, count_cube, ratio
from signals.monitor.suppression import TOTAL, hidden_cells, is_hidden, with_margins


def _table(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["wijk", "partnertype", "n"])
    return with_margins(frame, ["wijk", "partnertype"], ["n"])


def _value(frame: pd.DataFrame, wijk: str, partner_type: str, column: str = "n") -> object:
    row = frame[(frame["wijk"] == wijk) & (frame["partnertype"] == partner_type)]
    assert len(row) == 1
    return row[column].iloc[0]


def test_margins_hold_every_subtotal_and_the_grand_total() -> None:
    cube = _table([("A", "Huur", 12), ("A", "Zorg", 3), ("B", "Huur", 20), ("B", "Zorg", 40)])
    assert _value(cube, "A", TOTAL) == 15
    assert _value(cube, TOTAL, "Zorg") == 43
    assert _value(cube, TOTAL, TOTAL) == 75
    assert len(cube) == 9


def test_a_small_count_is_shown_as_below_the_threshold_and_zero_is_shown() -> None:
    cube = _table([("A", "Huur", 12), ("A", "Zorg", 0), ("B", "Huur", 20), ("B", "Zorg", 40)])
    table = Table("t", "t", "", ["wijk", "partnertype"], ["n"], cube)
    published = table.published(10)
    assert _value(published, "A", "Zorg") == 0
    assert not any(is_hidden(v) for v in published["n"])


def test_a_row_total_would_reveal_the_hidden_cell_so_a_second_cell_is_hidden() -> None:
    # Wijk A: Huur 12, Zorg 3, total 15. Hiding only the 3 leaves 15 - 12 = 3 to read off.
    cube = _table([("A", "Huur", 12), ("A", "Zorg", 3), ("B", "Huur", 20), ("B", "Zorg", 40)])
    table = Table("t", "t", "", ["wijk", "partnertype"], ["n"], cube)
    published = table.published(10)
    assert _value(published, "A", "Zorg") == "<10"
    # Secondary: the row's other cell — shown as "x", since it is not below 10.
    assert _value(published, "A", "Huur") == "x"
    # The columns then each have one hidden cell too: B's cells are hidden with them.
    assert _value(published, "B", "Huur") == "x"
    assert _value(published, "B", "Zorg") == "x"
    assert _value(published, "A", TOTAL) == 15
    # No relation (cells along a dimension + its total) has exactly one unknown.
    assert _no_line_with_one_unknown(published)


def test_no_cell_can_be_recovered_from_the_totals_in_a_bigger_table() -> None:
    rows = [
        (wijk, kind, n)
        for wijk, counts in {
            "A": (50, 3, 40, 22),
            "B": (31, 25, 2, 60),
            "C": (0, 18, 15, 7),
        }.items()
        for kind, n in zip(("Huur", "Energie", "Water", "Zorg"), counts, strict=True)
    ]
    cube = _table(rows)
    table = Table("t", "t", "", ["wijk", "partnertype"], ["n"], cube)
    published = table.published(10)
    for wijk, kind in (("A", "Energie"), ("B", "Water"), ("C", "Zorg")):
        assert _value(published, wijk, kind) == "<10"
    assert _value(published, "C", "Huur") == 0
    assert _no_line_with_one_unknown(published)
    # Every visible number is the true one.
    for position, value in enumerate(published["n"]):
        if not is_hidden(value):
            assert value == cube["n"].iloc[position]


def test_a_small_total_is_hidden_with_its_cells() -> None:
    cube = _table([("A", "Huur", 4), ("A", "Zorg", 0), ("B", "Huur", 30), ("B", "Zorg", 40)])
    hidden = hidden_cells(cube, ["wijk", "partnertype"], "n", 10)
    flagged = cube[hidden.to_numpy()]
    assert {("A", "Huur"), ("A", TOTAL)} <= set(
        zip(flagged["wijk"], flagged["partnertype"], strict=True)
    )
    assert _no_line_with_one_unknown(
        Table("t", "t", "", ["wijk", "partnertype"], ["n"], cube).published(10)
    )


def test_derived_values_hide_with_their_counts() -> None:
    units = pd.DataFrame(
        {
            "maand": ["2026-01"] * 15 + ["2026-02"] * 40,
            "wijk": ["A"] * 15 + ["A"] * 40,
            "zaken": [1] * 55,
            "bereikt": [1] * 4 + [0] * 11 + [1] * 20 + [0] * 20,
        }
    )
    values = count_cube(
        units, {"maand": ["2026-01", "2026-02"], "wijk": ["A"]}, ["zaken", "bereikt"]
    )
    values["aandeel bereikt"] = ratio(values["bereikt"], values["zaken"])
    table = Table(
        "t",
        "t",
        "",
        ["maand", "wijk"],
        ["zaken", "bereikt"],
        values,
        derived={"aandeel bereikt": ["zaken", "bereikt"]},
    )
    published = table.published(10)
    january = published[(published["maand"] == "2026-01") & (published["wijk"] == "A")].iloc[0]
    assert january["bereikt"] == "<10"
    assert january["aandeel bereikt"] == "–"
    assert january["zaken"] == 15
    # February's 20 of 40 would give January's 4 back from the period total (24): hidden too.
    february = published[(published["maand"] == "2026-02") & (published["wijk"] == "A")].iloc[0]
    assert february["bereikt"] == "x"
    assert february["aandeel bereikt"] == "–"
    assert _no_line_with_one_unknown(published, ["maand", "wijk"], "bereikt")


def test_the_threshold_is_a_setting() -> None:
    from connectors.settings import get_settings

    assert get_settings().suppression_threshold == 10
    assert get_settings(suppression_threshold=5).suppression_threshold == 5
    cube = _table([("A", "Huur", 7), ("A", "Zorg", 30), ("B", "Huur", 20), ("B", "Zorg", 40)])
    table = Table("t", "t", "", ["wijk", "partnertype"], ["n"], cube)
    assert _value(table.published(5), "A", "Huur") == 7
    assert _value(table.published(10), "A", "Huur") == "<10"


def _no_line_with_one_unknown(
    published: pd.DataFrame, dimensions: list[str] | None = None, column: str = "n"
) -> bool:
    dims = dimensions or ["wijk", "partnertype"]
    for name in dims:
        others = [d for d in dims if d != name]
        for _, group in published.groupby(others):
            unknown = sum(is_hidden(v) for v in group[column])
            if unknown == 1:
                return False
    return True
