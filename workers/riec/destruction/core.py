"""Destroying one case's or one signal's data wherever a copy is kept (art. 7, R-7.1). docs/destruction.md.

:func:`destroy_case` is what the topic ``case-destruction`` and the sweep call. In order:

1. Look in the engine: which process instances hold the case (counted for the register).
2. One write transaction in the registers' database: shred the vault keys and delete the
   packages and their acknowledgements, delete the refusal letters, the mail outbox and
   notification rows of the case and the hit-check record of its signal, blank the free-text
   strategy in the intervention register (the date stays: it is what the figures count),
   then write ONE ``destruction`` row and ONE DESTRUCTION register entry (references and
   counts only; idempotency key ``destruction:<case key>``).
3. The engine: every other instance of the case is ended and its history deleted; the
   running instance that asked (``keep_instance_ids``) loses the variables it no longer
   needs, and the sweep deletes its history once it has ended.

Idempotent and safe to interrupt: a second run (a redelivered task, a restarted worker,
the sweep) finds the destruction row, writes nothing again, and only finishes step 3.
Kept: the necessity assessment and the register entries (reference only; R-5.2,
``RetentionTerms.register_keep_until``).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from riec.compliance import db
from riec.compliance.provision_register import EntryKind, RegisterEntry, append_in
from riec.destruction import engine_purge
from riec.runtime.engine import CamundaClient

log = logging.getLogger(__name__)


class Trigger(StrEnum):
    """Why the data went (the ``destructionTrigger`` input of Task_Destroy, or the sweep)."""

    INTERVENTION = "intervention"      # the grace period after the carried-out intervention ended
    NO_DECISION = "no_decision"        # no anonymisation decision in time: nothing is kept
    MAX_RETENTION = "max_retention"    # the maximum retention ended, intervention or not
    SWEEP = "sweep"                    # overdue by the registers; the process was deleted or is stuck
    NO_CASE = "no_case"                # a signal that ended without a case, after its term (R-5.2, privacy protocol ch. 18)


RULES = {
    Trigger.INTERVENTION: ("R-7.1",), Trigger.NO_DECISION: ("R-7.1", "R-7.2"), Trigger.MAX_RETENTION: ("R-7.1",),
    Trigger.SWEEP: ("R-7.1",), Trigger.NO_CASE: ("R-5.2",),
}


@dataclass
class DestructionResult:
    case_key: str
    region: str | None
    trigger: str
    rule_ids: list[str]
    destroyed_at: dt.datetime
    counts: dict[str, int]
    register_seq: int | None
    #: False when an earlier run had already destroyed (and registered) it; this run only finished the engine part.
    new: bool = True
    engine: dict[str, int] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"destruction:{self.case_key}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def existing(database: Engine, case_key: str) -> DestructionResult | None:
    t = db.destruction
    with db.read_transaction(database) as conn:
        row = conn.execute(select(t).where(t.c.case_key == case_key)).first()
    if row is None:
        return None
    at = row.destroyed_at if row.destroyed_at.tzinfo else row.destroyed_at.replace(tzinfo=dt.UTC)
    return DestructionResult(case_key=row.case_key, region=row.region, trigger=row.trigger, rule_ids=json.loads(row.rule_ids),
                             destroyed_at=at, counts=json.loads(row.counts), register_seq=row.register_seq, new=False)


def _destroy_local(conn: Any, case_key: str) -> tuple[dict[str, int], list[str], str | None]:
    """Everything the registers' database holds of the case, except what is kept. Returns counts, person refs, region."""
    pkg, key, ack = db.vault_package, db.vault_key, db.vault_acknowledgement
    packages = conn.execute(select(pkg.c.id, pkg.c.key_id, pkg.c.person_refs, pkg.c.region).where(pkg.c.case_key == case_key)).all()
    person_refs = sorted({p for row in packages for p in json.loads(row.person_refs or "[]")})
    region = next((row.region for row in packages if row.region), None)
    ids, key_ids = [row.id for row in packages], [row.key_id for row in packages]
    counts: dict[str, int] = {}
    counts["vault_keys_shredded"] = conn.execute(update(key).where(key.c.id.in_(key_ids), key.c.key.is_not(None))
                                                 .values(key=None, shredded_at=_now())).rowcount if key_ids else 0
    if ids:
        conn.execute(delete(ack).where(ack.c.package_id.in_(ids)))
    counts["vault_packages"] = conn.execute(delete(pkg).where(pkg.c.case_key == case_key)).rowcount
    if key_ids:  # the key rows too: nothing left to shred, and no row that says a package once existed beyond the register
        conn.execute(delete(key).where(key.c.id.in_(key_ids)))
    counts["refusal_letters"] = conn.execute(delete(db.refusal_letter).where(db.refusal_letter.c.case_key == case_key)).rowcount
    counts["mail_messages"] = conn.execute(delete(db.mail_outbox).where(db.mail_outbox.c.business_key == case_key)).rowcount
    counts["notifications"] = conn.execute(delete(db.notification).where(db.notification.c.business_key == case_key)).rowcount
    counts["hit_checks"] = conn.execute(delete(db.hit_check).where(db.hit_check.c.business_key == case_key)).rowcount
    iv = db.intervention
    counts["intervention_texts"] = conn.execute(update(iv).where(iv.c.case_key == case_key, iv.c.strategy != "")
                                                .values(strategy="", other_description=None)).rowcount
    if region is None:
        region = conn.execute(select(iv.c.region).where(iv.c.case_key == case_key)).scalar()
    return counts, person_refs, region


def destroy_case(case_key: str, region: str | None = None, *, database: Engine, camunda: CamundaClient | None,
                 trigger: Trigger | str = Trigger.INTERVENTION, now: dt.datetime | None = None,
                 keep_instance_ids: frozenset[str] | set[str] = frozenset(), actor: str = "riec-worker",
                 subject: str = "case") -> DestructionResult:
    """Destroy the data of ``case_key`` (see the module doc). Idempotent; R-7.1 (R-7.2 / R-5.2 by trigger)."""
    trigger = Trigger(trigger)
    keep = frozenset(keep_instance_ids)
    now = now or _now()
    result = existing(database, case_key)
    wrote = False
    found = None
    if result is None:
        found = engine_purge.footprint(camunda, case_key) if camunda else None
        instances = len(found.instance_ids - keep) if found else 0
        with db.write_transaction(database) as conn:
            # Re-checked under the writer lock: two runs at once (task and sweep) register once.
            if conn.execute(select(db.destruction.c.case_key).where(db.destruction.c.case_key == case_key)).first() is None:
                counts, person_refs, found_region = _destroy_local(conn, case_key)
                region = region or found_region
                counts["process_instances"] = instances
                rule_ids = RULES[trigger]
                entry = append_in(conn, RegisterEntry(
                    kind=EntryKind.DESTRUCTION, occurred_at=now, actor=actor, case_id=case_key, region=region,
                    person_refs=tuple(person_refs), outcome="allowed", rule_ids=rule_ids,
                    reason_codes=(f"destruction:{trigger.value}",),
                    references={"subject": subject, **{k: str(v) for k, v in sorted(counts.items())}}),
                    idempotency_key=f"destruction:{case_key}", recorded_at=now)
                conn.execute(db.destruction.insert().values(
                    case_key=case_key, region=region, subject=subject, trigger=trigger.value, rule_ids=json.dumps(list(rule_ids)),
                    destroyed_at=now, counts=json.dumps(counts, sort_keys=True), register_seq=entry.seq))
                wrote = True
                log.info("destroyed %s (%s): %s", subject, trigger.value, counts)
        result = existing(database, case_key)
        assert result is not None
    result.new = wrote
    if camunda is not None:
        result.engine["history_deleted"] = engine_purge.purge(camunda, case_key, keep=keep, found=found)
        result.engine["variables_removed"] = sum(engine_purge.strip_variables(camunda, pid) for pid in keep)
    return result
