"""The model card (Markdown, in the headings of the national algorithm register) and the HTML
backtest report (plots as inline SVG: no CDN, no external file), built from an evaluation.

Pure: text in, text out; the caller writes the files.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from typing import Any, Final

import matplotlib

matplotlib.use("Agg")  # no display: render to memory only

import matplotlib.pyplot as plt
import pandas as pd

from signals.risk.validation import Split

MODEL_WORDS: Final = {
    "rules": "regels (beleidsvolgorde: band, dan bedrag)",
    "arrears": "alleen totale achterstand",
    "logistic": "logistische regressie",
    "boosting": "gradient boosting (HistGradientBoosting)",
}


#: Published counts below this are shown as "<10" (as the monitor's tables do).
SUPPRESS_BELOW: Final = 10
RATE_COLUMNS: Final = (
    "selection_rate",
    "precision",
    "false_negative_rate",
    "selection_rate_ratio",
    "precision_ratio",
    "false_negative_rate_ratio",
)


def published_audit(audit: pd.DataFrame) -> pd.DataFrame:
    """The audit table as published: small counts as "<10", the rates computed from them
    hidden ("–"). Groups too small to judge are still listed; the planned counts are left out."""
    out = audit.drop(columns=["planned", "planned_escalated"], errors="ignore")
    hidden = pd.Series(False, index=audit.index)
    # The group's own counts; the planned counts are not published (only their rates, which
    # are the point of the audit and count household-nights, not residents).
    for name in ("households", "escalated"):
        if name not in audit.columns:
            continue
        values = pd.to_numeric(audit[name])
        small = (values >= 0.5) & (values < SUPPRESS_BELOW)
        out[name] = values.round().astype(int).astype(object).where(~small, f"<{SUPPRESS_BELOW}")
        hidden |= small
    for name in RATE_COLUMNS:
        if name in out.columns:
            out[name] = pd.to_numeric(audit[name]).astype(float).where(~hidden)
    return out


def _pct(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def _num(value: Any, digits: int = 3) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.{digits}f}"


def performance_table(per_split: pd.DataFrame) -> pd.DataFrame:
    """Per model the mean over the splits of the headline figures."""
    columns = [
        "precision_worst",
        "precision_expected",
        "precision_best",
        "recall_expected",
        "free_precision_expected",
        "auc",
        "brier",
        "reached_share",
        "k",
    ]
    return per_split.groupby("model")[columns].mean()


def _performance_markdown(per_split: pd.DataFrame) -> str:
    table = performance_table(per_split)
    lines = [
        "| model | precision@k (worst – expected – best) | recall@k | precision@k, score "
        "alone | AUC | Brier | escalated households reached before escalation |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in table.iterrows():
        lines.append(
            f"| {MODEL_WORDS.get(str(name), name)} | {_pct(row['precision_worst'])} – "
            f"**{_pct(row['precision_expected'])}** – {_pct(row['precision_best'])} | "
            f"{_pct(row['recall_expected'])} | {_pct(row['free_precision_expected'])} | "
            f"{_num(row['auc'])} | {_num(row['brier'])} | {_pct(row['reached_share'])} |"
        )
    wide = per_split.pivot(index="split", columns="model", values="precision_expected")
    lines += ["", "Precision@k (expected) per split:", ""]
    lines.append("| split | " + " | ".join(str(c) for c in wide.columns) + " |")
    lines.append("|---|" + "---:|" * len(wide.columns))
    for split, row in wide.iterrows():
        lines.append(f"| {split} | " + " | ".join(_pct(v) for v in row) + " |")
    return "\n".join(lines)


def _audit_markdown(audit: pd.DataFrame) -> str:
    lines = [
        "| by | group | household-nights | escalated | selection rate | precision | FNR | "
        "ratios (sel./prec./FNR) | judgement |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for _, row in published_audit(audit).iterrows():
        if row["too_small"]:
            verdict = "too small to judge"
        elif row["reference"]:
            verdict = "reference group"
        else:
            verdict = "**outside 0.8–1.25**" if row["outside_band"] else "within 0.8–1.25"
        ratios = "/".join(
            _num(row[f"{rate}_ratio"], 2)
            for rate in ("selection_rate", "precision", "false_negative_rate")
        )
        lines.append(
            f"| {row['by']} | {row['group']} | {row['households']} | "
            f"{row['escalated']} | {_pct(row['selection_rate'])} | "
            f"{_pct(row['precision'])} | {_pct(row['false_negative_rate'])} | {ratios} | "
            f"{verdict} |"
        )
    return "\n".join(lines)


def model_card(
    version: str,
    model_name: str,
    beats_rules: bool,
    evaluation: dict[str, Any],
    window_days: int,
    splits: Sequence[Split],
) -> str:
    """The model card of ``version`` (Markdown)."""
    per_split = pd.DataFrame(evaluation["per_split"])
    audit = pd.DataFrame(evaluation["audit"])
    table = performance_table(per_split)
    rules_p = float(table["precision_expected"]["rules"])
    ours_p = float(table["precision_expected"][model_name])
    capacity = evaluation["capacity"]
    if beats_rules:
        verdict = (
            f"The {MODEL_WORDS[model_name]} beats the rules' order stably: mean expected "
            f"precision@k {_pct(ours_p)} against {_pct(rules_p)} for the rules, and at least as "
            "good in all but one split. It **may** be promoted (`vroegsignaal model promote "
            f"{version}`); until someone does, the rules' order stays."
        )
    else:
        verdict = (
            f"**The model does not beat the rules' order stably** (best candidate: "
            f"{MODEL_WORDS[model_name]}, mean expected precision@k {_pct(ours_p)} against "
            f"{_pct(rules_p)} for the rules). The rules' order stays the default; promoting "
            "this model is not advised."
        )
    flagged = audit[audit["outside_band"]]
    rules_audit = pd.DataFrame(evaluation["rules_audit"])
    rules_flagged = int(rules_audit["outside_band"].sum()) if len(rules_audit) else 0
    fairness_note = (
        "No group that is large enough to judge lies outside the 0.8–1.25 band."
        if flagged.empty
        else f"{len(flagged)} group(s) lie outside the 0.8–1.25 band on at least one rate: "
        + ", ".join(f"{r['by']} {r['group']}" for _, r in flagged.iterrows())
        + f". The rules' own order, audited the same way, has {rules_flagged} such group(s) "
        "(backtest report). The performance verdict above does not weigh fairness: a person "
        "reviews these groups before promoting. Ratios of small rates (a precision of a few "
        "percent) swing widely; the counts are in the table."
    )
    split_lines = "\n".join(
        f"| {s.number} | {s.train_nights[0].date()} … {s.train_nights[-1].date()} | "
        f"{s.origin.date()} | {s.test_nights[0].date()} … {s.test_nights[-1].date()} |"
        for s in splits
    )
    reasons = "\n".join(f"- {reason}" for reason in evaluation["reasons"])
    return f"""# Model card: risk order of the outreach work (vroegsignalering)

*Generated from the latest evaluation by `vroegsignaal train`; do not edit by hand.*
Version `{version}` · label window {window_days} days · {evaluation["rows"]} training rows ·
escalation rate {_pct(evaluation["base_rate"])} · weekly capacity {capacity}.

The headings follow the Dutch national algorithm register (Algoritmeregister).

## Doel (purpose)

The outreach teams reach only part of their task lists each week. This model estimates, per
household with an open vroegsignaalzaak, the chance of an **escalation within {window_days}
days**: an eviction request, an energy end-of-supply notice or a CAK registration, as reported
in the partners' own later deliveries. When a model is promoted, the estimate orders the work
**within** the triage policy's priority bands (crisis, relapse, multiple partners, the rest) so
that households heading for a crisis are visited sooner. It never changes a triage decision
and never removes a task: every resident a signal entitles to help keeps the offer.

## Data

- The pipeline's own point-in-time record: delivered signals (per partner type: amounts,
  months in arrears, crisis kinds), finished debt trajectories (nazorg), contact attempts and
  results, earlier cases. Each fact is used only from the night it was delivered or recorded
  (a leakage test in the suite checks that changing later deliveries changes no feature).
- Features: counts, highest amount and growth per partner type and overall in 3, 6, 12 months
  and all time; number of partners; crisis history; current arrears; months in arrears;
  relapse after a trajectory and its outcome; age band; prior contact attempts and whether the
  household was reached; time since the first signal and in the case. Unknown values are filled
  with 0 and flagged in a separate feature.
- Not used: nationality, ethnicity, gender, income, household composition, address or
  neighbourhood. The wijk is used **only** to audit the order for fairness.
- Labels come from later deliveries only; the sample's ground truth is used in a test to
  check that the observed labels agree with it, never as input.

## Model

Candidates, all scikit-learn estimators with one interface: the rules' own order (baseline),
the total arrears alone (baseline), an L2 logistic regression on standardised features and a
histogram gradient-boosting classifier. Rolling-origin validation over {len(splits)} splits:
a model learns at an origin only from nights whose label window had closed (the window is the
gap), and is tested on the four weeks after it.

| split | training nights | origin | test nights |
|---|---|---|---|
{split_lines}

Stored model: `{model_name}`, fitted on every night with an observed label; stored in the
database with skops (not pickle), with its training window, features, parameters, metrics per
split and a hash of the training data.

Explanations: per scored task the three features that raised the score most, in Dutch
(exact contributions for the logistic regression; for boosting the drop in the score when the
feature is set to the night's median), shown next to the policy rule in the task list
(column "Toelichting volgorde").

## Prestaties ten opzichte van de regels (performance versus the rules)

Measured at the teams' weekly capacity k (per team; {sum(capacity.values())} tasks a week in
all), on weekly nights, in the work order the teams would really follow: the policy's band
first, then the order under test. Worst and best bound the figure when tied scores straddle
the capacity boundary. "Score alone" ranks by the score without the bands. "Reached before
escalation": of the households that escalated, the share planned within capacity on a night
before the escalation.

{_performance_markdown(per_split)}

{verdict}

{reasons}

## Eerlijkheid (fairness)

Bias audit of the stored model's order at the operating capacity, on the pooled test nights,
per age band and per wijk; the reference group is the largest; a group with fewer than 30
households or 5 escalations is reported as too small to judge. Counts below 10 are shown as
"<10" and the rates computed from them are hidden.

{_audit_markdown(audit)}

{fairness_note}

## Menselijke tussenkomst (human oversight)

- A model orders work only after a person promotes it explicitly
  (`vroegsignaal model promote <version>`); `vroegsignaal model retire` restores the rules'
  order at once. The weekly training run only adds candidates.
- The outreach worker sees the policy rule and the model's three reasons on every task and
  decides what to do; a team lead can reorder the work. The score never closes a case or
  withholds an offer of help.

## Grenzen (limits)

- Labels are what the partners report: an escalation a partner does not deliver (no feed of
  debt-help intakes exists yet) is not seen, and households that move away drop out.
- The backtest covers one synthetic year when run on the sample municipality; with a label
  window of {window_days} days the earliest splits learn from only a few months.
- In the demo nobody works the tasks, so contact attempts and results carry no signal there;
  in production they do, and the model must be retrained and re-audited.
- Precision@k depends on the capacity; with a different capacity, read the report again.

## Contact

The municipality's vroegsignalering team (functional owner) and its privacy officer; technical
questions to the maintainers of vroegsignaal. Report doubts about an order in the task list to
the team lead, who can retire the model.
"""


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def precision_plot(per_split: pd.DataFrame) -> str:
    """Precision@k per split per model, with the worst–best range under ties."""
    figure, axis = plt.subplots(figsize=(7, 3.8))
    for name, part in per_split.groupby("model"):
        part = part.sort_values("split")
        low = part["precision_expected"] - part["precision_worst"]
        high = part["precision_best"] - part["precision_expected"]
        axis.errorbar(
            part["split"],
            part["precision_expected"],
            yerr=[low, high],
            marker="o",
            capsize=3,
            label=MODEL_WORDS.get(str(name), str(name)),
            linestyle="--" if name in ("rules", "arrears") else "-",
        )
    axis.set_xlabel("split")
    axis.set_ylabel("precision@k (weekly capacity)")
    axis.set_xticks(sorted(per_split["split"].unique()))
    axis.legend(fontsize=8)
    axis.grid(alpha=0.3)
    return _svg(figure)


def calibration_plot(reliability: dict[str, list[dict[str, Any]]]) -> str:
    figure, axis = plt.subplots(figsize=(4.5, 4.5))
    axis.plot([0, 1], [0, 1], color="grey", linewidth=1, label="perfect")
    for name, points in reliability.items():
        frame = pd.DataFrame(points)
        if len(frame):
            axis.plot(frame["predicted"], frame["observed"], marker="o", label=name)
    axis.set_xlabel("predicted chance of escalation")
    axis.set_ylabel("observed share escalated")
    axis.legend(fontsize=8)
    axis.grid(alpha=0.3)
    return _svg(figure)


def _table_html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:.3f}", border=0, na_rep="–")


def backtest_html(
    version: str, model_name: str, evaluation: dict[str, Any], predictions: pd.DataFrame
) -> str:
    """The HTML backtest report: figures per split, calibration, both audit tables."""
    per_split = pd.DataFrame(evaluation["per_split"])
    columns = [
        "split",
        "model",
        "k",
        "precision_worst",
        "precision_expected",
        "precision_best",
        "recall_expected",
        "free_precision_expected",
        "auc",
        "brier",
        "reached_share",
        "test_rows",
    ]
    audit = pd.DataFrame(evaluation["audit"])
    rules_audit = pd.DataFrame(evaluation["rules_audit"])
    audit_columns = [
        "by",
        "group",
        "households",
        "escalated",
        "selection_rate",
        "precision",
        "false_negative_rate",
        "selection_rate_ratio",
        "precision_ratio",
        "false_negative_rate_ratio",
        "too_small",
        "outside_band",
    ]
    splits = pd.DataFrame(evaluation["splits"])
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in evaluation["reasons"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Backtest {html.escape(version)}</title>
<style>
body {{ font-family: sans-serif; max-width: 70em; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }}
th, td {{ padding: 0.25em 0.6em; border-bottom: 1px solid #ddd; text-align: right; }}
th {{ background: #f3f3f3; }}
</style></head><body>
<h1>Backtest of the risk order — {html.escape(version)}</h1>
<p>Stored model: <b>{html.escape(MODEL_WORDS.get(model_name, model_name))}</b>.
Capacity per team: {html.escape(str(evaluation["capacity"]))}. Test rows pooled:
{len(predictions) // max(1, predictions["model"].nunique())}.</p>
<ul>{reasons}</ul>
<h2>Splits</h2>{_table_html(splits)}
<h2>Precision@k per split</h2>{precision_plot(per_split)}
{_table_html(per_split[[c for c in columns if c in per_split.columns]])}
<h2>Calibration (reliability curve, pooled test nights)</h2>
{calibration_plot(evaluation["reliability"])}
<h2>Bias audit of the stored model at capacity</h2>
{_table_html(published_audit(audit)[audit_columns])}
<h2>Bias audit of the rules' order, for comparison</h2>
{_table_html(published_audit(rules_audit)[audit_columns])}
</body></html>
"""


def summary_markdown(version: str, beats_rules: bool, summary: pd.DataFrame) -> str:
    """A short Prefect artifact: mean precision@k per model, and the verdict."""
    means = summary["precision_expected"]["mean"]
    rows = "\n".join(f"| {name} | {100 * value:.1f}% |" for name, value in means.items())
    verdict = "beats the rules" if beats_rules else "does not beat the rules: rules stay"
    return f"# Risk model {version}\n\n{verdict}\n\n| model | precision@k |\n|---|---:|\n{rows}\n"
