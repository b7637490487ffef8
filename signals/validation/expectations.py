"""The Great Expectations suites for deliveries: canonical signals, per partner, aftercare.

Every expectation carries ``meta`` with a stable ``reason_code`` and an English and Dutch reason;
the runner turns failed expectations into quarantine reasons from that meta, so reasons never
quote a value. Rules GX has no expectation for (eleven-test, day window, first occurrence of an
id, consent) are computed in pandas as boolean check columns (``add_check_columns``) that the
suite expects to be true.

Great Expectations is imported lazily (it takes seconds to import).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from signals.bsn import bsn_valid_series
from signals.ddas import PARTNER_TYPES
from signals.schema import FIELD_NAMES

if TYPE_CHECKING:
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations import Expectation

#: Normalised postcode: four digits (first not 0) + two capitals; SA, SD and SS do not exist.
POSTCODE_PATTERN = r"^[1-9][0-9]{3}(?!SA|SD|SS)[A-Z]{2}$"
SUFFIX_PATTERN = r"^[A-Z0-9]{0,4}$"
MIN_HOUSE_NUMBER = 1
MAX_HOUSE_NUMBER = 99999
#: Outcomes of a finished trajectory in the nazorg file.
AFTERCARE_OUTCOMES: tuple[str, ...] = (
    "schuldregeling_geslaagd",
    "saneringskrediet",
    "budgetbeheer_afgerond",
    "afgebroken",
)

#: Delivery kinds, as in the partner catalog.
KIND_SIGNAL = "signal"
KIND_AFTERCARE = "aftercare"

ROW_ID = "_row_id"
CHECK_BSN = "_check_bsn_eleven_test"
CHECK_WINDOW = "_check_within_window"
CHECK_FIRST = "_check_first_occurrence"
CHECK_CONSENT = "_check_consent"
CHECK_INDICATORS = "_check_indicators"
#: Longest partner record id the database keeps (connectors/database/models.py).
MAX_ID_LENGTH = 200
DUPLICATE_CODE = "duplicate"


@dataclass(frozen=True)
class SuiteParameters:
    """What the row-level suite of one delivery depends on."""

    name: str
    kind: str
    delivery_date: pd.Timestamp
    max_plausible_amount: float
    window_min_days: int | None = None
    window_max_days: int | None = None
    requires_consent: bool = False
    indicators: tuple[str, ...] = ()


def _meta(code: str, reason_en: str, reason_nl: str) -> dict[str, Any]:
    return {"reason_code": code, "reason_en": reason_en, "reason_nl": reason_nl}


def _not_null(column: str) -> Expectation:
    import great_expectations.expectations as gxe

    nl = FIELD_NAMES.get(column, (column, column))[1]
    return gxe.ExpectColumnValuesToNotBeNull(
        column=column,
        meta=_meta(
            f"{column}_missing",
            f"Required field '{column}' is empty",
            f"Verplicht veld {nl} is leeg",
        ),
    )


def _not_negative(column: str, ceiling: float | None = None) -> Expectation:
    import great_expectations.expectations as gxe

    nl = FIELD_NAMES.get(column, (column, column))[1]
    if ceiling is None:
        meta = _meta(f"{column}_negative", f"'{column}' is negative", f"{nl} is negatief")
    else:
        ceiling_nl = f"{ceiling:,.0f}".replace(",", ".")
        meta = _meta(
            f"{column}_out_of_range",
            f"'{column}' is negative or above the plausible ceiling of EUR {ceiling:,.0f}",
            f"{nl} is negatief of hoger dan het plausibele maximum van € {ceiling_nl}",
        )
    return gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=0, max_value=ceiling, meta=meta
    )


def _not_after_delivery(column: str, delivery_date: pd.Timestamp) -> Expectation:
    import great_expectations.expectations as gxe

    nl = FIELD_NAMES.get(column, (column, column))[1]
    return gxe.ExpectColumnValuesToBeBetween(
        column=column,
        max_value=delivery_date,
        meta=_meta(
            f"{column}_in_future",
            f"'{column}' lies after the delivery date",
            f"{nl} ligt na de leverdatum",
        ),
    )


def _id_length(column: str) -> Expectation:
    import great_expectations.expectations as gxe

    nl = FIELD_NAMES.get(column, (column, column))[1]
    return gxe.ExpectColumnValueLengthsToBeBetween(
        column=column,
        max_value=MAX_ID_LENGTH,
        meta=_meta(
            f"{column}_too_long",
            f"'{column}' is longer than {MAX_ID_LENGTH} characters",
            f"{nl} is langer dan {MAX_ID_LENGTH} tekens",
        ),
    )


def _is_true(column: str, code: str, reason_en: str, reason_nl: str) -> Expectation:
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToBeInSet(
        column=column, value_set=[True], meta=_meta(code, reason_en, reason_nl)
    )


def address_expectations() -> list[Expectation]:
    """Postcode (normalised form), huisnummer 1-99999, toevoeging of at most 4 letters/digits."""
    import great_expectations.expectations as gxe

    return [
        _not_null("postcode"),
        _not_null("huisnummer"),
        gxe.ExpectColumnValuesToMatchRegex(
            column="postcode",
            regex=POSTCODE_PATTERN,
            meta=_meta(
                "postcode_invalid",
                "Postcode is not four digits and two letters (or uses SA, SD or SS)",
                "Postcode is niet vier cijfers en twee letters (of gebruikt SA, SD of SS)",
            ),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="huisnummer",
            min_value=MIN_HOUSE_NUMBER,
            max_value=MAX_HOUSE_NUMBER,
            meta=_meta(
                "huisnummer_out_of_range",
                "House number is not between 1 and 99999",
                "Huisnummer ligt niet tussen 1 en 99999",
            ),
        ),
        gxe.ExpectColumnValuesToMatchRegex(
            column="toevoeging",
            regex=SUFFIX_PATTERN,
            meta=_meta(
                "toevoeging_invalid",
                "Suffix is longer than 4 characters or holds other than letters and digits",
                "Toevoeging is langer dan 4 tekens of bevat andere tekens dan letters en cijfers",
            ),
        ),
    ]


def canonical_expectations(params: SuiteParameters) -> list[Expectation]:
    """Rules every signal meets, whichever partner sent it."""
    import great_expectations.expectations as gxe

    expectations = [_not_null("signal_id"), _not_null("partner_type"), _not_null("signal_date")]
    expectations.append(_id_length("signal_id"))
    expectations += address_expectations()
    expectations += [
        gxe.ExpectColumnValuesToBeInSet(
            column="partner_type",
            value_set=list(PARTNER_TYPES),
            meta=_meta(
                "partner_type_unknown",
                "Partner type is not in the DDAS list",
                "Partnertype staat niet in de DDAS-lijst",
            ),
        ),
        _is_true(
            CHECK_BSN,
            "bsn_invalid",
            "BSN fails the eleven-test",
            "BSN voldoet niet aan de elfproef",
        ),
        _not_negative("amount", params.max_plausible_amount),
        _not_negative("arrears_months"),
        _not_negative("monthly_rent"),
        _not_negative("days_overdue"),
        *(
            _not_after_delivery(column, params.delivery_date)
            for column in ("signal_date", "arrears_since", "birth_date")
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="signal_date",
            column_B="arrears_since",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=_meta(
                "arrears_after_signal",
                "Arrears start date lies after the signal date",
                "Ontstaansdatum ligt na de signaaldatum",
            ),
        ),
        _is_true(
            CHECK_FIRST,
            DUPLICATE_CODE,
            "Duplicate signal id in this delivery; its first occurrence was kept",
            "Dubbel signaalnummer in deze levering; het eerste voorkomen is behouden",
        ),
    ]
    return expectations


def partner_expectations(params: SuiteParameters) -> list[Expectation]:
    """The partner's own rules: amount (except consent-based referrals), day window, consent."""
    expectations: list[Expectation] = []
    if not params.requires_consent:
        expectations.append(_not_null("amount"))
    if params.window_min_days is not None or params.window_max_days is not None:
        expectations.append(
            _is_true(
                CHECK_WINDOW,
                "outside_window",
                f"Days in arrears outside the partner's window "
                f"({_window_text(params.window_min_days, params.window_max_days)} days)",
                f"Aantal dagen achterstand valt buiten het venster van de partner "
                f"({_window_text(params.window_min_days, params.window_max_days)} dagen)",
            )
        )
    if params.indicators:
        agreed = ", ".join(params.indicators)
        expectations.append(
            _is_true(
                CHECK_INDICATORS,
                "indicator_unknown",
                f"Indicators outside the agreed set ({agreed}) or repeated",
                f"Indicatoren buiten de afgesproken set ({agreed}) of dubbel",
            )
        )
    if params.requires_consent:
        expectations.append(
            _is_true(
                CHECK_CONSENT,
                "no_consent",
                "Bank referral without recorded consent",
                "Bankverwijzing zonder vastgelegde toestemming",
            )
        )
    return expectations


def _window_text(low: int | None, high: int | None) -> str:
    return f"{'' if low is None else low}-{'' if high is None else high}"


def aftercare_expectations(delivery_date: pd.Timestamp) -> list[Expectation]:
    """Rules for the nazorg file of finished debt trajectories."""
    import great_expectations.expectations as gxe

    return [
        _not_null("dossier_id"),
        _id_length("dossier_id"),
        *address_expectations(),
        _not_null("trajectory_end_date"),
        _not_after_delivery("trajectory_end_date", delivery_date),
        gxe.ExpectColumnValuesToBeInSet(
            column="trajectory_outcome",
            value_set=list(AFTERCARE_OUTCOMES),
            meta=_meta(
                "trajectory_outcome_unknown",
                "Trajectory outcome is not a known value",
                "Uitkomst van het traject is geen bekende waarde",
            ),
        ),
        _is_true(
            CHECK_FIRST,
            DUPLICATE_CODE,
            "Duplicate dossier id in this delivery; its first occurrence was kept",
            "Dubbel dossiernummer in deze levering; het eerste voorkomen is behouden",
        ),
    ]


def _suite(name: str, expectations: list[Expectation]) -> ExpectationSuite:
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=expectations)


def canonical_signal_suite(params: SuiteParameters) -> ExpectationSuite:
    """The suite of the canonical signal table alone (``signals.canonical``)."""
    return _suite("signals.canonical", canonical_expectations(params))


def partner_signal_suite(params: SuiteParameters) -> ExpectationSuite:
    """The suite a partner's delivery is validated with: canonical rules + the partner's own."""
    return _suite(params.name, canonical_expectations(params) + partner_expectations(params))


def aftercare_suite(delivery_date: pd.Timestamp, name: str = "aftercare") -> ExpectationSuite:
    """The suite of the aftercare (nazorg) table."""
    return _suite(name, aftercare_expectations(delivery_date))


def days_in_window(
    arrears_since: pd.Series,
    signal_date: pd.Series,
    days_overdue: pd.Series,
    window_min_days: int | None,
    window_max_days: int | None,
) -> pd.Series:
    """True where the days in arrears fall inside the window; true when nothing tells the days.

    Days are ``signal_date - arrears_since``, or the partner's ``days_overdue`` without a start.
    """
    days = (signal_date - arrears_since).dt.days.astype("Float64")
    days = days.fillna(days_overdue.astype("Float64"))
    inside = pd.Series(True, index=days.index, dtype="boolean")
    if window_min_days is not None:
        inside &= days >= window_min_days
    if window_max_days is not None:
        inside &= days <= window_max_days
    return inside.fillna(True).astype(bool)


def announces_crisis(records: pd.DataFrame) -> pd.Series:
    """Eviction, end-of-supply and CAK signals: late by nature, so exempt from the day window.

    (A CAK registration comes at six months of unpaid premium, past the insurers' 100 days.)
    """
    eviction = records["eviction_requested"].fillna(False).astype(bool)
    cak = records["cak_registered"].fillna(False).astype(bool)
    return eviction | cak | records["end_of_supply_date"].notna()


def add_check_columns(records: pd.DataFrame, params: SuiteParameters) -> pd.DataFrame:
    """``records`` plus a row id and the boolean check columns the suites expect to be true."""
    out = records.reset_index(drop=True).copy()
    out[ROW_ID] = pd.array(range(len(out)), dtype="Int64")
    id_column = "dossier_id" if params.kind == KIND_AFTERCARE else "signal_id"
    ids = out[id_column]
    out[CHECK_FIRST] = (~ids.duplicated(keep="first") | ids.isna()).astype(bool)
    if params.kind == KIND_AFTERCARE:
        return out
    out[CHECK_BSN] = bsn_valid_series(out["bsn"]).fillna(True).astype(bool)
    out[CHECK_WINDOW] = days_in_window(
        out["arrears_since"],
        out["signal_date"],
        out["days_overdue"],
        params.window_min_days,
        params.window_max_days,
    ) | announces_crisis(out)
    out[CHECK_CONSENT] = out["consent"].fillna(False).astype(bool)
    if params.indicators:
        out[CHECK_INDICATORS] = indicators_agreed(out["indicators"], params.indicators)
    return out


def indicators_agreed(indicators: pd.Series, agreed: tuple[str, ...]) -> pd.Series:
    """True where every comma-separated indicator is agreed and none repeats (none: true).

    Parsed once per distinct value: referral lists repeat few combinations.
    """
    allowed = set(agreed)

    def fits(text: str) -> bool:
        codes = [code.strip() for code in text.split(",") if code.strip()]
        return set(codes) <= allowed and len(codes) == len(set(codes))

    text = indicators.astype("string").fillna("")
    verdicts = {value: fits(value) for value in text.unique()}
    return text.map(verdicts).astype(bool)
