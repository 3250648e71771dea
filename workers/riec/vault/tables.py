"""The vault's tables, defined with the registers' schema (riec.compliance.db; migration 0006_vault).

Keys live in their own table (``vault_key``): every package has one, and
shredding it (the key bytes set to NULL, ``shredded_at`` set) makes the
package's ciphertext unreadable wherever a copy of it went, backups of the
package table included. For the same effect on backups of the key table itself,
back it up separately with a retention no longer than the data's (docs/vault.md).
"""
from __future__ import annotations

from riec.compliance.db import vault_acknowledgement, vault_key, vault_package

__all__ = ["vault_acknowledgement", "vault_key", "vault_package"]
