"""The legal-basis register (R-8): legal bases as data with a validity window.

The 2013 decree ships built in (15-03-2013 to 31-12-2014). An operator registers
the basis in force for a deployment without code: a JSON or TOML file loaded with
``riec legal-basis load FILE`` or named in ``RIEC_LEGAL_BASES_FILE`` (loaded by
``riec database init`` at every start). Every change is also written to the
provision register.

File format (TOML; JSON is the same structure)::

    [[legal_basis]]
    id = "wgs-2025"
    name = "Wet gegevensverwerking door samenwerkingsverbanden"
    citation = "Stb. 2024, 198; Besluit gegevensverwerking door samenwerkingsverbanden, Stb. 2024, 380"
    valid_from = 2025-03-01
    # valid_until = 2030-12-31   (omit: open-ended)
    note = "..."
"""
from __future__ import annotations

import json
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from . import db
from .decisions import Decision
from .models import LegalBasis
from .provision_register import EntryKind, RegisterEntry, append_in
from .rules import r_8_legal_basis

DECREE_2013 = LegalBasis(
    id="wpg-machtigingsbesluit-riec-2013",
    name="Wpg-machtigingsbesluit RIEC's/werkproces integrale casusanalyse",
    citation="Besluit van de Minister van Veiligheid en Justitie van 11 maart 2013, kenmerk 330633/13, "
             "op grond van art. 18, tweede lid, Wet politiegegevens",
    valid_from=date(2013, 3, 15),
    valid_until=date(2014, 12, 31),
    note="Art. 8: in force from 15 March 2013, expired at the latest on 31 December 2014. The reference basis of this product.",
)

#: The successor an operator may register (the demo set-up does). Not registered by default:
#: whether the WGS covers a deployment's processing is the operator's legal call.
WGS_2025 = LegalBasis(
    id="wgs-2025",
    name="Wet gegevensverwerking door samenwerkingsverbanden (WGS)",
    citation="Stb. 2024, 198; Besluit gegevensverwerking door samenwerkingsverbanden (BGS), Stb. 2024, 380",
    valid_from=date(2025, 3, 1),
    valid_until=None,
    note="Governs data processing by partnerships such as the RIEC's since 1 March 2025.",
)

BUILTIN = (DECREE_2013,)


class LegalBasisConflict(ValueError):
    """A basis with this id exists with different content (use replace=True)."""


def _to_model(row) -> LegalBasis:  # noqa: ANN001
    return LegalBasis(id=row.id, name=row.name, citation=row.citation, valid_from=row.valid_from,
                      valid_until=row.valid_until, note=row.note or "")


def list_bases(database: Engine) -> list[LegalBasis]:
    t = db.legal_basis
    with db.read_transaction(database) as conn:
        return [_to_model(r) for r in conn.execute(select(t).order_by(t.c.valid_from, t.c.id))]


def get_basis(database: Engine, basis_id: str) -> LegalBasis | None:
    t = db.legal_basis
    with db.read_transaction(database) as conn:
        row = conn.execute(select(t).where(t.c.id == basis_id)).first()
    return _to_model(row) if row else None


def _store(conn: Connection, basis: LegalBasis, *, source: str, actor: str, replace: bool) -> str:
    """Insert or update one basis; returns 'added', 'updated' or 'unchanged'."""
    t = db.legal_basis
    row = conn.execute(select(t).where(t.c.id == basis.id)).first()
    now = datetime.now(UTC)
    values = basis.model_dump(exclude={"id"})
    if row is not None:
        if _to_model(row) == basis:
            return "unchanged"
        if not replace:
            raise LegalBasisConflict(f"legal basis {basis.id!r} exists with different content; use replace")
        conn.execute(t.update().where(t.c.id == basis.id).values(**values, source=source, registered_at=now))
        result = "updated"
    else:
        conn.execute(t.insert().values(id=basis.id, **values, source=source, registered_at=now))
        result = "added"
    append_in(conn, RegisterEntry(
        kind=EntryKind.LEGAL_BASIS_CHANGED, occurred_at=now, actor=actor, legal_basis_id=basis.id, rule_ids=("R-8",),
        references={"change": result, "valid_from": basis.valid_from.isoformat(),
                    "valid_until": basis.valid_until.isoformat() if basis.valid_until else "open", "source": source},
    ))
    return result


def add_basis(database: Engine, basis: LegalBasis, *, actor: str, source: str = "cli", replace: bool = False) -> str:
    with db.write_transaction(database) as conn:
        return _store(conn, basis, source=source, actor=actor, replace=replace)


def ensure_builtin(database: Engine, *, actor: str = "system") -> None:
    with db.write_transaction(database) as conn:
        for basis in BUILTIN:
            if conn.execute(select(db.legal_basis.c.id).where(db.legal_basis.c.id == basis.id)).first() is None:
                _store(conn, basis, source="builtin", actor=actor, replace=False)


def parse_file(path: str | Path) -> list[LegalBasis]:
    """Read bases from a TOML (``[[legal_basis]]`` tables) or JSON (list, or {"legal_basis": [...]}) file."""
    path = Path(path)
    raw = path.read_bytes()
    data: Any = tomllib.loads(raw.decode("utf-8")) if path.suffix.lower() == ".toml" else json.loads(raw)
    items = data.get("legal_basis", data.get("legal_bases")) if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise ValueError(f"{path}: expected a non-empty list of legal bases (key 'legal_basis')")
    return [LegalBasis.model_validate(item) for item in items]


def load_file(database: Engine, path: str | Path, *, actor: str, source: str = "file") -> dict[str, str]:
    """Register every basis in the file (configuration wins over earlier content); all or nothing."""
    bases = parse_file(path)
    with db.write_transaction(database) as conn:
        return {b.id: _store(conn, b, source=source, actor=actor, replace=True) for b in bases}


def load_configured(database: Engine, path: Path | None, *, actor: str = "system") -> dict[str, str]:
    """Register the bases of the deployment's configured file (``RIEC_LEGAL_BASES_FILE``), if one is set."""
    return load_file(database, path, actor=actor, source="env") if path else {}


def decide(database: Engine, on: date) -> Decision:
    """R-8 against the registered bases."""
    return r_8_legal_basis(on, list_bases(database))
