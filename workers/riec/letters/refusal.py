"""Build, render, store and register the refusal letter (R-4.1-refuse).

PDF by fpdf2: pure Python from PyPI, its built-in Helvetica needs no system fonts
(Latin-1 covers Dutch; other characters are mapped to their nearest Latin-1 form).
The letter, its register entry and the mail to the region's analysts are written in
one transaction (riec.mail.outbox), idempotent on the decision's reference.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from riec.compliance import db
from riec.compliance.db import refusal_letter
from riec.compliance.decisions import Outcome
from riec.compliance.provision_register import EntryKind, RegisterEntry, append_in
from riec.mail.outbox import enqueue
from riec.notifications import Notification

TEMPLATES = Path(__file__).with_name("templates")
EXPLANATION_IMPOSSIBLE = "R-4.1-refuse:explanation_impossible"

#: What the requester reads about each rule a refusal can rest on (decree articles, ../shared/DOMAIN.md).
RULE_TITLES_NL = {
    "R-2": "art. 2 van het besluit: alleen gegevens verwerkt op grond van art. 9 en art. 10, eerste lid, onder a, Wpg",
    "R-3.1": "art. 3, eerste lid: alleen voor de aanpak van georganiseerde criminaliteit, met het benoemde fenomeen",
    "R-3.2": "art. 3, tweede lid: alleen voor een integrale casusanalyse met een verenigbaar doel",
    "R-4.1-refuse": "art. 4, eerste lid: een zwaarwegend opsporingsbelang, de nationale veiligheid of de veiligheid van personen kan zich tegen verstrekking verzetten",
    "R-4.2": "art. 4, tweede lid: alleen gegevens over personen in categorie a, b of c",
    "R-5.1e": "art. 5, eerste lid, onder e: raadpleging van de functionaris art. 2:10 Bpg en instemming van de officier van justitie",
    "R-8": "art. 8: de geldigheid van de grondslag op de datum van verstrekking",
}
REGION_NAMES_NL = {
    "riec-noord": "RIEC Noord-Nederland", "riec-oost": "RIEC Oost-Nederland", "riec-midden-nederland": "RIEC Midden-Nederland",
    "riec-noord-holland": "RIEC Noord-Holland", "riec-amsterdam": "RIEC Amsterdam-Amstelland", "riec-den-haag": "RIEC Haaglanden",
    "riec-rotterdam": "RIEC Rotterdam", "riec-zeeland-west-brabant": "RIEC Zeeland-West-Brabant",
    "riec-oost-brabant": "RIEC Oost-Brabant", "riec-limburg": "RIEC Limburg",
}


@dataclass(frozen=True)
class Letter:
    ref: str
    case_key: str
    decision_ref: str
    region: str | None
    requesting_partner: str | None
    explanation_possible: bool
    rule_ids: list[str]
    text_nl: str
    pdf: bytes
    created_at: dt.datetime


def letter_ref(decision_ref: str) -> str:
    return "BRF-" + hashlib.sha256(decision_ref.encode()).hexdigest()[:10].upper()


def render_text(*, ref: str, case_key: str, region: str | None, partners: list[str], explanation_possible: bool,
                reason_nl: str, rule_ids: list[str], on: dt.date, templates: Path | None = None) -> str:
    env = Environment(loader=FileSystemLoader(str(templates or TEMPLATES)), undefined=StrictUndefined,
                      keep_trailing_newline=True, autoescape=False)  # plain text for a PDF, no HTML  # noqa: S701
    rules = [{"id": r, "title": RULE_TITLES_NL.get(r, "zie het Wpg-machtigingsbesluit RIEC's")} for r in rule_ids]
    return env.get_template("refusal.txt.j2").render(
        ref=ref, date=on.strftime("%d-%m-%Y"), case_key=case_key, region_name=REGION_NAMES_NL.get(region or "", "RIEC"),
        partners=partners, explanation_possible=explanation_possible, reason=reason_nl.strip(), rules=rules)


def _latin1(text: str) -> str:
    replaced = text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x2013: "-", 0x2014: "-", 0x2026: "...", 0x20AC: "EUR"})
    return "".join(c if ord(c) < 256 else unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode() or "?" for c in replaced)


def render_pdf(text: str, *, title: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("RIEC casusanalyse")
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in _latin1(text).split("\n"):
        if line.strip():
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(4)
    return bytes(pdf.output())


def create(database: Engine, *, case_key: str, decision_ref: str, region: str | None, partners: list[str],
           reason_nl: str, rule_ids: list[str], reason_codes: list[str], explanation_impossible: bool,
           link: str, actor: str, now: dt.datetime | None = None, templates: Path | None = None) -> Letter:
    """The letter for this decision: made, stored, registered and announced once (idempotent on ``decision_ref``)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    found = get_by_decision(database, decision_ref)
    if found:
        return found
    explanation_possible = not explanation_impossible and EXPLANATION_IMPOSSIBLE not in reason_codes
    ref = letter_ref(decision_ref)
    text = render_text(ref=ref, case_key=case_key, region=region, partners=partners, explanation_possible=explanation_possible,
                       reason_nl=reason_nl, rule_ids=rule_ids, on=now.date(), templates=templates)
    pdf = render_pdf(text, title=f"Weigering verzoek politiegegevens {case_key}")
    with db.write_transaction(database) as conn:
        if conn.execute(select(refusal_letter.c.ref).where(refusal_letter.c.decision_ref == decision_ref)).first():
            pass  # written by a concurrent delivery of the same task
        else:
            conn.execute(insert(refusal_letter).values(
                ref=ref, case_key=case_key, decision_ref=decision_ref, region=region,
                requesting_partner=",".join(partners)[:80] or None, explanation_possible=explanation_possible,
                rule_ids=json.dumps(rule_ids), text_nl=text, pdf=pdf, created_at=now))
            append_in(conn, RegisterEntry(
                kind=EntryKind.REFUSAL, occurred_at=now, actor=actor, case_id=case_key, region=region,
                outcome=Outcome.REFUSED, rule_ids=("R-4.1-refuse",),
                reason_codes=("R-4.1-refuse:letter_sent",) + (() if explanation_possible else (EXPLANATION_IMPOSSIBLE,)),
                references={"letter": ref, "decision": decision_ref}), idempotency_key=f"letter:{decision_ref}")
            enqueue(conn, Notification(
                key=f"refused:{decision_ref}", kind="refused", recipient_group="riec-analyst", business_key=case_key,
                task_ref="refusal-letter", created_at=now, region=region,
                text_nl=f"Het verzoek om politiegegevens in casus {case_key} is geweigerd. De weigeringsbrief {ref} "
                        "staat klaar voor de aanvragende partner."), link=link, region=region)
    result = get_by_decision(database, decision_ref)
    assert result is not None
    return result


def _letter(row: object) -> Letter:
    r = dict(row._mapping)  # type: ignore[attr-defined]
    created = r["created_at"] if r["created_at"].tzinfo else r["created_at"].replace(tzinfo=dt.timezone.utc)
    return Letter(**{**r, "rule_ids": json.loads(r["rule_ids"]), "pdf": bytes(r["pdf"]), "created_at": created})


def get(database: Engine, ref: str) -> Letter | None:
    with db.read_transaction(database) as conn:
        row = conn.execute(select(refusal_letter).where(refusal_letter.c.ref == ref)).first()
    return _letter(row) if row else None


def get_by_decision(database: Engine, decision_ref: str) -> Letter | None:
    with db.read_transaction(database) as conn:
        row = conn.execute(select(refusal_letter).where(refusal_letter.c.decision_ref == decision_ref)).first()
    return _letter(row) if row else None


def for_case(database: Engine, case_key: str) -> list[Letter]:
    with db.read_transaction(database) as conn:
        rows = conn.execute(select(refusal_letter).where(refusal_letter.c.case_key == case_key).order_by(refusal_letter.c.created_at)).all()
    return [_letter(r) for r in rows]
