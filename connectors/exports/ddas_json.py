"""Write the DDAS v1.2 delivery built by signals/ddas_report.py to a JSON file for CBS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_ddas_json(report: dict[str, Any], path: Path) -> Path:
    """UTF-8 JSON, keys in the order built, written via a temporary file so no half file stays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return path
