"""The supply-chain audit (``.ci/audit.py``, ``make audit``): its verdicts without the network.

pip-audit itself is replaced by canned reports here; the real run is ``make audit``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT


def _audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_audit"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


AUDIT = _audit()
TODAY = dt.date(2026, 12, 2)
VULNERABLE = {
    "dependencies": [
        {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8", "fix_versions": []}]},
        {"name": "pandas", "version": "2.3.3", "vulns": []},
    ]
}


def _accepted(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accepted.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_acceptance_needs_every_field_and_expires(tmp_path: Path) -> None:
    path = _accepted(
        tmp_path,
        """
[[accept]]
vulnerability = "GHSA-h5c8"
package = "jinja2"
reason = "templates are ours, never user input"
accepted_by = "M. de Vries, security officer"
expires = 2027-01-31

[[accept]]
vulnerability = "GHSA-old"
package = "x"
reason = "r"
accepted_by = "a"
expires = 2026-01-01

[[accept]]
vulnerability = "GHSA-noreason"
package = "y"
""",
    )
    valid, problems = AUDIT.load_acceptances(path, TODAY)
    assert [item.vulnerability for item in valid] == ["GHSA-h5c8"]
    assert any("GHSA-old" in p and "expired on 2026-01-01" in p for p in problems)
    assert any("lacks reason, accepted_by, expires" in p for p in problems)


def _run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, service: bool, report: dict) -> int:
    monkeypatch.setattr(AUDIT, "service_answers", lambda: (service, "no route to pypi.org"))
    monkeypatch.setattr(AUDIT, "pip_audit", lambda lock, ignored: (report, ""))
    monkeypatch.setattr(AUDIT, "npm_audit", lambda project, accepted: (True, []))
    return int(AUDIT.main(["--accepted", str(tmp_path / "none.toml")]))


def test_a_known_vulnerability_fails(monkeypatch, tmp_path, capsys) -> None:
    assert _run(monkeypatch, tmp_path, True, VULNERABLE) == 1
    assert "jinja2==3.1.2 has GHSA-h5c8" in capsys.readouterr().out


def test_a_clean_lock_passes(monkeypatch, tmp_path, capsys) -> None:
    clean = {"dependencies": [VULNERABLE["dependencies"][1]]}
    assert _run(monkeypatch, tmp_path, True, clean) == 0
    assert "1 locked packages audited, no known vulnerabilities" in capsys.readouterr().out


def test_without_the_database_it_skips_with_the_reason_or_fails_when_required(
    monkeypatch, tmp_path, capsys
) -> None:
    assert _run(monkeypatch, tmp_path, False, VULNERABLE) == 0
    assert "SKIPPED, no usable vulnerability database (no route" in capsys.readouterr().out
    monkeypatch.setenv("VS_AUDIT_REQUIRED", "true")
    assert _run(monkeypatch, tmp_path, False, VULNERABLE) == 1


def test_unaudited_packages_fail_only_when_required(monkeypatch, tmp_path) -> None:
    report = {"dependencies": [{"name": "zict", "skip_reason": "not found on PyPI"}]}
    assert _run(monkeypatch, tmp_path, True, report) == 0
    monkeypatch.setenv("VS_AUDIT_REQUIRED", "true")
    assert _run(monkeypatch, tmp_path, True, report) == 1


def test_npm_advisories_fail_unless_accepted(monkeypatch, tmp_path) -> None:
    import json
    from types import SimpleNamespace

    (tmp_path / "package-lock.json").write_text("{}", encoding="utf-8")
    advisory = {"url": "https://github.com/advisories/GHSA-axe1", "title": "x"}
    report = {"vulnerabilities": {"axe-core": {"severity": "high", "via": [advisory]}}}
    done = SimpleNamespace(stdout=json.dumps(report))
    monkeypatch.setattr(AUDIT.subprocess, "run", lambda *args, **kwargs: done)
    passed, lines = AUDIT.npm_audit(tmp_path, set())
    assert passed is False and lines == ["axe-core (high): GHSA-axe1"]
    assert AUDIT.npm_audit(tmp_path, {"GHSA-axe1"})[0] is True
    offline = SimpleNamespace(stdout=json.dumps({"message": "405 Method Not Allowed"}))
    monkeypatch.setattr(AUDIT.subprocess, "run", lambda *args, **kwargs: offline)
    assert AUDIT.npm_audit(tmp_path, set()) == (None, ["405 Method Not Allowed"])
