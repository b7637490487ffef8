"""Writes the risk model's reports: the model card (Markdown) and the backtest (HTML)."""

from __future__ import annotations

from pathlib import Path


def write_reports(
    out_dir: Path, model_card: str, backtest_html: str, card_copy: Path | None = None
) -> list[Path]:
    """``model-card.md`` and ``backtest.html`` in ``out_dir`` (and the card at ``card_copy``,
    e.g. ``docs/model-card.md``); the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "model-card.md", out_dir / "backtest.html"]
    paths[0].write_text(model_card, encoding="utf-8")
    paths[1].write_text(backtest_html, encoding="utf-8")
    if card_copy is not None:
        card_copy.parent.mkdir(parents=True, exist_ok=True)
        card_copy.write_text(model_card, encoding="utf-8")
        paths.append(card_copy)
    return paths
