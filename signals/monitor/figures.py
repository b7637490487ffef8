"""The monitor's tables per month, partner type and wijk (pure: frames in, tables out).

Each function returns a :class:`~signals.monitor.cube.Table` whose numeric cube holds every
cell and margin; ``Table.published(threshold)`` is what pages, charts, downloads and the API
show. Column names are the Dutch headers of the published tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from signals import ddas
from signals.monitor.cube import Table, cell_statistic, count_cube, ratio, share_of_total
from signals.monitor.facts import (
    MonitorInput,
    case_facts,
    days_between,
    decided_signals,
    month_of,
    working_day_deadline,
)
from signals.monitor.suppression import TOTAL

MONTH = "maand"
PARTNER_TYPE = "partnertype"
WIJK = "wijk"
BASE_DIMENSIONS = [MONTH, PARTNER_TYPE, WIJK]

#: Days within which the Wgs wants a first conversation; working days for a crisis.
FOUR_WEEKS_DAYS = 28
CRISIS_WORKING_DAYS = 3

#: Result groups of a picked-up case (DDAS EnumEindresultaat).
RESULT_ACCEPTED = "Hulp geaccepteerd"
RESULT_DECLINED = "Hulp afgewezen"
RESULT_NO_CONTACT = "Geen contact"
RESULT_OTHER = "Anders afgesloten"
RESULT_GROUPS: dict[str, str] = {
    **{result: RESULT_ACCEPTED for result in ddas.RESULTS_HELP_ACCEPTED},
    "Inwoner regelt het zelf/hoeft geen hulp vanuit vroegsignalering": RESULT_DECLINED,
    "Geen reactie na eerder contact": RESULT_DECLINED,
    "Definitief geen contact kunnen krijgen": RESULT_NO_CONTACT,
}

#: Crisis kinds of a linked signal and how the monitor names the escalation.
ESCALATIONS: dict[str, str] = {
    "ontruiming": "Ontruimingsaanvraag",
    "eindelevering": "Eindeleveringsbericht",
    "cak": "CAK-aanmelding",
}
CASE_TYPES = ("enkelvoudig", "meervoudig", "opeenvolgend")


def levels(
    frame: pd.DataFrame, months: Sequence[str], partner_types: Sequence[str] | None = None
) -> dict[str, list[str]]:
    """The base dimension levels: the months asked for, and the types and wijken that occur."""
    types = sorted(set(partner_types or []) | set(frame[PARTNER_TYPE].dropna().astype(str)))
    wijken = sorted(set(frame[WIJK].dropna().astype(str)))
    return {MONTH: list(months), PARTNER_TYPE: types, WIJK: wijken}


def _denominators(values: pd.DataFrame, wijken: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """Inhabitants and households behind each row (its wijk; the municipality for ``TOTAL``)."""
    if wijken is None or wijken.empty:
        missing = pd.Series(pd.NA, index=values.index, dtype="Float64")
        return missing, missing
    names = wijken.assign(
        label=wijken["wijknaam"].astype("string").fillna(wijken["wijkcode"].astype("string"))
    ).set_index("label")
    inhabitants = names["inwoners"].astype("Float64")
    households = names["huishoudens"].astype("Float64")
    total = values[WIJK] == TOTAL
    out_inhabitants = values[WIJK].map(inhabitants).astype("Float64")
    out_households = values[WIJK].map(households).astype("Float64")
    out_inhabitants[total] = float(inhabitants.sum())
    out_households[total] = float(households.sum())
    return out_inhabitants, out_households


def signals_table(data: MonitorInput, months: Sequence[str]) -> Table:
    """Signals and new arrears episodes per month × partner type × wijk, per 1,000."""
    frame = decided_signals(data).rename(columns={"month": MONTH, "partner_type": PARTNER_TYPE})
    frame = frame.rename(columns={"wijk": WIJK})
    frame["signalen"] = 1
    frame["nieuwe episodes"] = frame["new_episode"].astype("int64")
    values = count_cube(frame, levels(frame, months), ["signalen", "nieuwe episodes"])
    inhabitants, households = _denominators(values, data.wijken)
    values["signalen per 1.000 inwoners"] = ratio(values["signalen"], inhabitants, 1000).round(2)
    values["signalen per 1.000 huishoudens"] = ratio(values["signalen"], households, 1000).round(2)
    values["nieuwe episodes per 1.000 huishoudens"] = ratio(
        values["nieuwe episodes"], households, 1000
    ).round(2)
    return Table(
        key="signalen",
        title="Signalen en nieuwe achterstandsepisodes",
        note=(
            "Signalen: elke regel van elke levering (een partner meldt dezelfde achterstand "
            "elke maand opnieuw, met hetzelfde kenmerk). Nieuwe episodes: de eerste keer dat "
            "een partner een kenmerk meldt — dezelfde achterstand in drie maandlijsten is drie "
            "signalen en één episode. Een signaal telt in de maand waarin het is beoordeeld; "
            "per 1.000 alleen met reference/wijken.csv."
        ),
        dimensions=list(BASE_DIMENSIONS),
        counts=["signalen", "nieuwe episodes"],
        values=values,
        derived={
            "signalen per 1.000 inwoners": ["signalen"],
            "signalen per 1.000 huishoudens": ["signalen"],
            "nieuwe episodes per 1.000 huishoudens": ["nieuwe episodes"],
        },
    )


def triage_table(data: MonitorInput, months: Sequence[str]) -> Table:
    """Decided signals per status (Opgepakt, and every reason for not picking up)."""
    frame = decided_signals(data).rename(
        columns={"month": MONTH, "partner_type": PARTNER_TYPE, "wijk": WIJK}
    )
    frame["status"] = frame["status"].astype("string")
    frame["signalen"] = 1
    dims = levels(frame, months)
    others = sorted(set(frame["status"].dropna()) - {ddas.STATUS_PICKED_UP})
    statuses = [ddas.STATUS_PICKED_UP, *others]
    values = count_cube(frame, {**dims, "status": statuses}, ["signalen"])
    dimensions = [*BASE_DIMENSIONS, "status"]
    values["aandeel"] = share_of_total(values, dimensions, "signalen", "status").round(3)
    return Table(
        key="opgepakt",
        title="Opgepakt en redenen van niet oppakken",
        note=(
            "Beoordeelde signalen per status (status Totaal: alle beoordeelde signalen). "
            "Aandeel: deel van de beoordeelde signalen in dezelfde maand, partnertype en wijk."
        ),
        dimensions=dimensions,
        counts=["signalen"],
        values=values,
        shares={"aandeel": ("signalen", "status")},
    )


def case_type_table(data: MonitorInput, months: Sequence[str]) -> Table:
    """Picked-up cases per case type (enkelvoudig / meervoudig / opeenvolgend)."""
    facts = case_facts(data)
    facts = facts[facts["picked_up_on"].notna()].copy()
    facts[MONTH] = month_of(facts["picked_up_on"])
    facts = facts.rename(columns={"partner_type": PARTNER_TYPE, "case_type": "zaaktype"})
    facts["zaken"] = 1
    dims = levels(facts, months)
    values = count_cube(facts, {**dims, "zaaktype": list(CASE_TYPES)}, ["zaken"])
    dimensions = [*BASE_DIMENSIONS, "zaaktype"]
    values["aandeel"] = share_of_total(values, dimensions, "zaken", "zaaktype").round(3)
    return Table(
        key="zaaktypen",
        title="Opgepakte zaken: enkelvoudig, meervoudig, opeenvolgend",
        note=(
            "Zaken in de maand van het eerste oppakken, naar zaaktype bij het openen. "
            "Partnertype en wijk van het eerste signaal van de zaak."
        ),
        dimensions=dimensions,
        counts=["zaken"],
        values=values,
        shares={"aandeel": ("zaken", "zaaktype")},
    )


def _median(values: pd.Series) -> float:
    return float(np.median(values.to_numpy(dtype=float))) if len(values) else float("nan")


def reach_table(data: MonitorInput, months: Sequence[str]) -> Table:
    """Reach of the cases picked up per month (attempts recorded by the moment read)."""
    facts = case_facts(data)
    facts = facts[facts["picked_up_on"].notna()].copy()
    facts[MONTH] = month_of(facts["picked_up_on"])
    facts = facts.rename(columns={"partner_type": PARTNER_TYPE})
    as_of = pd.Timestamp(data.as_of)
    reached = facts["first_reached"].notna()
    to_attempt = days_between(facts["first_attempt"], facts["received_on"])
    to_reach = days_between(facts["first_reached"], facts["received_on"])
    window_over = (facts["received_on"] + pd.Timedelta(days=FOUR_WEEKS_DAYS)) <= as_of
    within = reached & (to_reach <= FOUR_WEEKS_DAYS).fillna(False)
    crisis = facts["crisis_received"].notna()
    deadline = working_day_deadline(facts["crisis_received"], CRISIS_WORKING_DAYS)
    crisis_over = crisis & (deadline <= as_of).fillna(False)
    crisis_in_time = crisis & (facts["first_reached_after_crisis"] <= deadline).fillna(False)
    facts["zaken"] = 1
    facts["bereikt"] = reached.astype("int64")
    facts["contactpogingen"] = facts["attempts"].astype("int64")
    facts["4 weken verstreken"] = (window_over | within).astype("int64")
    facts["bereikt binnen 4 weken"] = within.astype("int64")
    facts["crisiszaken, 3 werkdagen verstreken"] = (crisis_over | crisis_in_time).astype("int64")
    facts["crisis bereikt binnen 3 werkdagen"] = crisis_in_time.astype("int64")
    counts = [
        "zaken",
        "bereikt",
        "contactpogingen",
        "4 weken verstreken",
        "bereikt binnen 4 weken",
        "crisiszaken, 3 werkdagen verstreken",
        "crisis bereikt binnen 3 werkdagen",
    ]
    dims = levels(facts, months)
    values = count_cube(facts, dims, counts)
    values["aandeel bereikt"] = ratio(values["bereikt"], values["zaken"]).round(3)
    values["contactpogingen per zaak"] = ratio(values["contactpogingen"], values["zaken"]).round(2)
    values["aandeel bereikt binnen 4 weken"] = ratio(
        values["bereikt binnen 4 weken"], values["4 weken verstreken"]
    ).round(3)
    values["aandeel crisis binnen 3 werkdagen"] = ratio(
        values["crisis bereikt binnen 3 werkdagen"], values["crisiszaken, 3 werkdagen verstreken"]
    ).round(3)
    facts["_to_attempt"] = to_attempt
    facts["_to_reach"] = to_reach
    chosen = facts[facts[MONTH].isin(list(months))]
    for source, name in (
        ("_to_attempt", "mediaan dagen tot eerste poging"),
        ("_to_reach", "mediaan dagen tot eerste bereikt contact"),
    ):
        stats = cell_statistic(chosen, BASE_DIMENSIONS, source, _median, name)
        values = values.merge(stats, on=BASE_DIMENSIONS, how="left")
        values[name] = values[name].astype("Float64").round(1)
    return Table(
        key="bereik",
        title="Bereik: contact met de inwoner",
        note=(
            "Zaken in de maand van het eerste oppakken. Dagen gerekend vanaf de levering van "
            "het eerste signaal. Binnen 4 weken: eerste bereikte contact binnen 28 dagen, "
            "alleen over zaken waarvan die 4 weken voorbij zijn (of die al bereikt zijn). "
            "Crisis (ontruiming, einde levering, CAK): bereikt binnen 3 werkdagen na het "
            "crisissignaal. Contactpogingen die later worden vastgelegd vullen een maand aan."
        ),
        dimensions=list(BASE_DIMENSIONS),
        counts=counts,
        values=values,
        derived={
            "aandeel bereikt": ["zaken", "bereikt"],
            "contactpogingen per zaak": ["zaken", "contactpogingen"],
            "aandeel bereikt binnen 4 weken": ["4 weken verstreken", "bereikt binnen 4 weken"],
            "aandeel crisis binnen 3 werkdagen": [
                "crisiszaken, 3 werkdagen verstreken",
                "crisis bereikt binnen 3 werkdagen",
            ],
            "mediaan dagen tot eerste poging": ["zaken"],
            "mediaan dagen tot eerste bereikt contact": ["bereikt"],
        },
    )


def results_table(data: MonitorInput, months: Sequence[str]) -> Table:
    """Picked-up cases closed per month, by result group."""
    facts = case_facts(data)
    facts = facts[facts["picked_up_on"].notna() & facts["closed_on"].notna()].copy()
    facts[MONTH] = month_of(facts["closed_on"])
    facts = facts.rename(columns={"partner_type": PARTNER_TYPE})
    facts["resultaat"] = facts["result"].map(RESULT_GROUPS).fillna(RESULT_OTHER).astype("string")
    facts["zaken"] = 1
    groups = [RESULT_ACCEPTED, RESULT_DECLINED, RESULT_NO_CONTACT, RESULT_OTHER]
    values = count_cube(facts, {**levels(facts, months), "resultaat": groups}, ["zaken"])
    dimensions = [*BASE_DIMENSIONS, "resultaat"]
    values["aandeel"] = share_of_total(values, dimensions, "zaken", "resultaat").round(3)
    return Table(
        key="resultaten",
        title="Resultaten van opgepakte zaken",
        note=(
            "Afgesloten opgepakte zaken in de maand van afsluiten. Hulp geaccepteerd: "
            "(budget)advies of quick fix, vervolghulp of verwijzing. Hulp afgewezen: regelt het "
            "zelf / hoeft geen hulp, geen reactie na eerder contact. Geen contact: definitief "
            "geen contact kunnen krijgen. Anders afgesloten: al betaald, ander traject, "
            "verhuisd, overleden en dergelijke."
        ),
        dimensions=dimensions,
        counts=["zaken"],
        values=values,
        shares={"aandeel": ("zaken", "resultaat")},
    )


def escalations_table(data: MonitorInput, months: Sequence[str]) -> Table:
    """Eviction requests, end-of-supply notices and CAK registrations, and prior reach."""
    frame = decided_signals(data)
    new_crisis = frame["crisis_kind"].notna() & frame["signal_state"].isin(["new", "escalated"])
    events = frame[new_crisis.to_numpy(dtype=bool)].copy()
    events["soort"] = events["crisis_kind"].map(ESCALATIONS).astype("string")
    events = events.dropna(subset=["soort"]).drop_duplicates(["household_key", "soort", "month"])
    events["_when"] = events["signal_date"].fillna(events["delivery_date"])
    reached = _reached_attempts(data)
    prior = (
        events[["household_key", "_when"]]
        .reset_index()
        .merge(reached, on="household_key", how="inner")
    )
    prior = prior[prior["attempt_date"] < prior["_when"]]
    events["eerder bereikt"] = events.index.isin(prior["index"]).astype("int64")
    events["escalaties"] = 1
    events = events.rename(columns={"month": MONTH, "wijk": WIJK})
    dims = {
        MONTH: list(months),
        "soort": list(ESCALATIONS.values()),
        WIJK: sorted(set(events[WIJK].dropna().astype(str))),
    }
    values = count_cube(events, dims, ["escalaties", "eerder bereikt"])
    values["aandeel eerder bereikt"] = ratio(values["eerder bereikt"], values["escalaties"]).round(
        3
    )
    return Table(
        key="escalaties",
        title="Escalaties en eerder contact",
        note=(
            "Een nieuwe ontruimingsaanvraag, eindeleveringsbericht of CAK-aanmelding die de "
            "achterstand bij die partner nog niet had, in de maand van beoordelen. Eerder "
            "bereikt: het huishouden had vóór de signaaldatum van de escalatie al eens bereikt "
            "contact met een contactpoging."
        ),
        dimensions=[MONTH, "soort", WIJK],
        counts=["escalaties", "eerder bereikt"],
        values=values,
        derived={"aandeel eerder bereikt": ["escalaties", "eerder bereikt"]},
    )


def _reached_attempts(data: MonitorInput) -> pd.DataFrame:
    """Reached attempts with the household they were for."""
    attempts = data.attempts
    ok = attempts["reached"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    households = data.cases[["case_id", "household_key"]]
    return attempts.loc[ok, ["case_id", "attempt_date"]].merge(households, on="case_id")[
        ["household_key", "attempt_date"]
    ]
