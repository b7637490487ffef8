"""Key rotation: re-seal every stored token under the current (first) key of its vault."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors.database.models import ContactVault as ContactVaultRow
from connectors.database.models import Quarantine
from connectors.database.runs import audit
from connectors.vault import ContactVault


def rotate_vault_tokens(
    session: Session, contacts: ContactVault, raw_rows: ContactVault, actor: str
) -> dict[str, int]:
    """Re-seal addresses and raw rows; a token no key opens stops the whole rotation.

    Run it after putting the new key first in ``VS_VAULT_KEY`` / ``VS_RAW_KEY`` (old key
    after it); once it ran, the old key can be removed. Audited with the counts.
    """
    counts = {"addresses": 0, "raw_rows": 0}
    for key, token in session.execute(
        select(ContactVaultRow.household_key, ContactVaultRow.address_token)
    ).all():
        session.execute(
            update(ContactVaultRow)
            .where(ContactVaultRow.household_key == key)
            .values(address_token=contacts.rotate(token))
        )
        counts["addresses"] += 1
    for quarantine_id, sealed in session.execute(
        select(Quarantine.quarantine_id, Quarantine.raw_token).where(
            Quarantine.raw_token.is_not(None)
        )
    ).all():
        if sealed is None:
            continue
        session.execute(
            update(Quarantine)
            .where(Quarantine.quarantine_id == quarantine_id)
            .values(raw_token=raw_rows.rotate(sealed))
        )
        counts["raw_rows"] += 1
    audit(session, actor, "rotate_keys", "vault", None, counts)
    return counts
