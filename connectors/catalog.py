"""The partner catalog (``config/partners.yaml``): which partners deliver, in which dialect.

Partners are configuration: a new partner whose file is an already supported dialect needs a
catalog entry only. The catalog is validated on load; a bad entry raises :class:`CatalogError`
naming the partner and the field.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from connectors import settings
from signals.ddas import PARTNER_TYPES
from signals.parsing import EXCEL_DATE
from signals.schema import AFTERCARE_SCHEMA, LINEAGE_SCHEMA, SIGNAL_SCHEMA
from signals.validation.rules import DeliveryRules

Kind = Literal["signal", "aftercare"]
FileFormat = Literal["csv", "xlsx", "jsonl"]
Encoding = Literal["utf-8-sig", "utf-8", "latin-1"]

#: Columns a reader fills itself; the catalog may not map them.
_DERIVED = (*LINEAGE_SCHEMA, "partner_type")
#: The partner's own record id per kind: a row without it cannot be kept.
ID_COLUMN: dict[str, str] = {"signal": "signal_id", "aftercare": "dossier_id"}


class CatalogError(ValueError):
    """The partner catalog is missing or invalid; the message names partner and field."""


class PartnerSpec(BaseModel):
    """One partner's delivery contract: file dialect, column mapping and delivery rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partner_id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    partner_type: str | None = None
    kind: Kind
    format: FileFormat
    extension: str = Field(pattern=r"^[a-z0-9]+$")
    encoding: Encoding = "utf-8"
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    decimal: Literal[",", "."] = "."
    thousands: Literal[".", ",", " ", ""] = ""
    date_format: str
    true_values: tuple[str, ...] = ("true",)
    false_values: tuple[str, ...] = ("false",)
    sheet: str | None = None
    columns: dict[str, str]
    required: tuple[str, ...] = ()
    defaults: dict[str, str] = Field(default_factory=dict)
    # Delivery rules, read by the validation stage.
    complete_snapshot: bool = True
    never_empty: bool = False
    # Refuse a delivery whose row count collapses versus the previous (VS_MAX_ROW_COUNT_DROP).
    row_count_check: bool = True
    # A household dropping off this list ends an arrears episode (so arrears coming back make
    # the case "opeenvolgend"); not so for a list of referrals.
    episodic: bool = True
    requires_consent: bool = False
    #: The agreed codes of a set-valued ``indicators`` column; a referral naming another is
    #: quarantined. Empty: not checked.
    indicators: tuple[str, ...] = ()

    @field_validator("partner_type")
    @classmethod
    def _known_partner_type(cls, value: str | None) -> str | None:
        if value is not None and value not in PARTNER_TYPES:
            raise ValueError(f"must be a DDAS partner type, one of {', '.join(PARTNER_TYPES)}")
        return value

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, value: str) -> str:
        if value != EXCEL_DATE and "%" not in value:
            raise ValueError(f"must be a strftime format such as %d-%m-%Y, or '{EXCEL_DATE}'")
        return value

    @property
    def schema_columns(self) -> dict[str, str]:
        """The canonical schema this partner's rows conform to."""
        return SIGNAL_SCHEMA if self.kind == "signal" else AFTERCARE_SCHEMA

    @property
    def id_column(self) -> str:
        return ID_COLUMN[self.kind]

    @model_validator(mode="after")
    def _consistent(self) -> PartnerSpec:
        self._check_kind()
        self._check_columns()
        self._check_dialect()
        return self

    def _check_kind(self) -> None:
        if self.kind == "signal" and self.partner_type is None:
            raise ValueError("partner_type is required for a signal partner")
        if self.kind == "aftercare" and self.partner_type is not None:
            raise ValueError("partner_type must be omitted for an aftercare file")
        if self.requires_consent and "consent" not in self.columns:
            raise ValueError("requires_consent needs a 'consent' column in columns")
        if self.indicators and "indicators" not in self.columns:
            raise ValueError("indicators needs an 'indicators' column in columns")

    def _check_columns(self) -> None:
        allowed = set(self.schema_columns) - set(_DERIVED)
        unknown = sorted((set(self.columns) | set(self.defaults)) - allowed)
        if unknown:
            raise ValueError(f"columns/defaults name unknown canonical columns: {unknown}")
        for needed in (self.id_column, "postcode", "huisnummer"):
            if needed not in self.columns:
                raise ValueError(f"columns must map the canonical column '{needed}'")
        missing = sorted(set(self.required) - set(self.columns.values()))
        if missing:
            raise ValueError(f"required names source columns that are not mapped: {missing}")
        if self.columns[self.id_column] not in self.required:
            raise ValueError(f"the id column '{self.columns[self.id_column]}' must be required")

    def _check_dialect(self) -> None:
        if self.format == "csv" and self.delimiter is None:
            raise ValueError("a csv partner needs a delimiter")
        if self.format == "xlsx" and not self.sheet:
            raise ValueError("an xlsx partner needs a sheet")
        if self.decimal == self.thousands:
            raise ValueError("decimal and thousands separators must differ")
        overlap = {v.lower() for v in self.true_values} & {v.lower() for v in self.false_values}
        if overlap:
            raise ValueError("true_values and false_values overlap")


class Catalog(BaseModel):
    """All partners, by id."""

    model_config = ConfigDict(frozen=True)

    partners: dict[str, PartnerSpec]

    def get(self, partner_id: str) -> PartnerSpec:
        try:
            return self.partners[partner_id]
        except KeyError:
            raise KeyError(f"partner '{partner_id}' is not in the partner catalog") from None


def _partner_spec(partner_id: str, entry: Any, source: str) -> PartnerSpec:
    if not isinstance(entry, dict):
        raise CatalogError(f"{source}: partner '{partner_id}' must be a mapping of fields")
    try:
        return PartnerSpec.model_validate({**entry, "partner_id": partner_id})
    except ValidationError as error:
        problems = "; ".join(
            f"field '{'.'.join(str(part) for part in item['loc']) or '(entry)'}': {item['msg']}"
            for item in error.errors()
        )
        raise CatalogError(f"{source}: partner '{partner_id}': {problems}") from None


def parse_catalog(document: Any, source: str = "partner catalog") -> Catalog:
    """A catalog from an already loaded YAML document ``{"partners": {id: {...}}}``."""
    if not isinstance(document, dict) or not isinstance(document.get("partners"), dict):
        raise CatalogError(f"{source}: expected a top-level 'partners' mapping")
    partners = {
        str(partner_id): _partner_spec(str(partner_id), entry, source)
        for partner_id, entry in document["partners"].items()
    }
    if not partners:
        raise CatalogError(f"{source}: no partners configured")
    return Catalog(partners=partners)


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate the partner catalog (default ``config/partners.yaml``)."""
    path = path or settings.CONFIG_DIR / "partners.yaml"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CatalogError(f"cannot read the partner catalog {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise CatalogError(f"{path.name} is not valid YAML: {error}") from None
    return parse_catalog(document, source=path.name)


def delivery_rules(
    spec: PartnerSpec, config: settings.Settings, delivery_date: date, resubmission: bool = False
) -> DeliveryRules:
    """What validation holds one delivery of ``spec`` to.

    Day windows live in the triage policy only (``day_windows``; "Niet opgepakt: onterecht
    signaal", crisis signals exempt): a signal outside its window is a real signal, not a broken
    row, so it is not quarantined.
    A re-submission holds only corrected rows, so "never empty" does not apply to it.
    """
    return DeliveryRules(
        partner=spec.partner_id,
        partner_type=spec.partner_type or "Overige",
        kind=spec.kind,
        delivery_date=delivery_date,
        never_empty=spec.never_empty and not resubmission,
        window_min_days=None,
        window_max_days=None,
        requires_consent=spec.requires_consent,
        indicators=spec.indicators,
        max_row_count_drop=config.max_row_count_drop,
    )
