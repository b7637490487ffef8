"""The DDAS Vroegsignalering v1.2 vocabulary (VNG/CBS exchange model).

These strings are the field's shared language; use them verbatim wherever they apply.
Tests check them against the official schema in ``../shared/ddas/v1.2``.
"""

from typing import Final

PARTNER_TYPES: Final = (
    "Belastingdienst",
    "CAK Eigen bijdrage",
    "CAK Zorgverzekeringen",
    "Dienst Toeslagen",
    "DUO",
    "Energie",
    "Huur",
    "Hypotheek",
    "Overige",
    "Water",
    "Zorg",
)

# Signal status (EnumSignaalstatus).
STATUS_KNOWN_AT_DEBT_HELP: Final = "Inwoner al bekend bij schuldhulpverlening"
STATUS_DECEASED: Final = "Inwoner is overleden"
STATUS_OTHER_REASON: Final = "Niet opgepakt: andere reden"
STATUS_REPEAT: Final = "Niet opgepakt: herhaalde melding"
STATUS_UNFOUNDED: Final = "Niet opgepakt: onterecht signaal"
STATUS_PENDING: Final = "Nog niet opgepakt"
STATUS_PICKED_UP: Final = "Opgepakt"
STATUS_NOT_RESIDENT: Final = "Persoon is geen inwoner (meer) in de gemeente"
SIGNAL_STATUSES: Final = (
    STATUS_KNOWN_AT_DEBT_HELP,
    STATUS_DECEASED,
    STATUS_OTHER_REASON,
    STATUS_REPEAT,
    STATUS_UNFOUNDED,
    STATUS_PENDING,
    STATUS_PICKED_UP,
    STATUS_NOT_RESIDENT,
)

# Contact kind (EnumContactsoort).
CONTACT_KINDS: Final = (
    "Administratief",
    "Afspraak op locatie",
    "Brief",
    "Huisbezoek",
    "Kaartje",
    "Mail",
    "Onbekend",
    "Overige",
    "SMS/Whatsapp",
    "Telefoon",
)

# Part of day (EnumDagdeel): Ochtend < 12:00, Middag 12-18, Avond >= 18:00.
PARTS_OF_DAY: Final = ("Ochtend", "Middag", "Avond")

# Case result (EnumEindresultaat).
RESULTS: Final = (
    "(Budget)advies en/of quick fix",
    "Definitief geen contact kunnen krijgen",
    "Geen reactie na eerder contact",
    "Inwoner al bekend bij schuldhulpverlening",
    "Inwoner heeft al een ander lopend traject",
    "Inwoner heeft zelf al betaald/betalingsregeling getroffen",
    "Inwoner is overleden",
    "Inwoner regelt het zelf/hoeft geen hulp vanuit vroegsignalering",
    "Niet opgepakt: andere reden",
    "Niet opgepakt: herhaalde melding",
    "Niet opgepakt: onterecht signaal",
    "Persoon is geen inwoner (meer) in de gemeente",
    "Vervolghulp en/of verwijzing",
    "Vervolghulp en/of verwijzing financieel",
    "Vervolghulp en/of verwijzing niet financieel",
    "Verwijzing zonder tussenkomst inwoner",
)

#: The result the system records when the partners no longer report a household's arrears.
RESULT_PAID_THEMSELVES: Final = "Inwoner heeft zelf al betaald/betalingsregeling getroffen"
#: Results that mean help was accepted (advice/quick fix, or follow-up help / referral).
RESULTS_HELP_ACCEPTED: Final = (
    "(Budget)advies en/of quick fix",
    "Vervolghulp en/of verwijzing",
    "Vervolghulp en/of verwijzing financieel",
    "Vervolghulp en/of verwijzing niet financieel",
    "Verwijzing zonder tussenkomst inwoner",
)

# What a partner may learn about its signal: only this, never the reason.
FEEDBACK_PICKED_UP: Final = "opgepakt"
FEEDBACK_NOT_PICKED_UP: Final = "niet opgepakt"
