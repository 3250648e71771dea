"""Refusal letters (R-4.1-refuse, issue 10): Dutch, from the decision's reasons and rule IDs, as PDF.

With "explanation not possible" the letter gives no reason. Stored in the registers'
database, registered in the provision register and announced by mail, once.
"""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from riec.compliance import db
from riec.compliance import provision_register as pr
from riec.letters import refusal
from riec.letters.handler import RefusalLetterInput, refusal_letter
from riec.mail import outbox

LINK = "http://localhost:8080/camunda/app/tasklist/"
REASON = ("De politie verstrekt de gevraagde gegevens niet, omdat de nationale veiligheid zich daartegen verzet. "
          "Toelichting: er loopt een onderzoek waarmee de verstrekking zou botsen.")


@pytest.fixture
def registers(tmp_path):
    database = db.open_database(f"sqlite:///{tmp_path / 'riec.sqlite'}")
    db.migrate(database)
    yield database
    db.close_databases()


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def task(**kw) -> RefusalLetterInput:
    values = dict(caseKey="SIG-BRIEF-1", decisionRef="entry-123", refusalRuleIds='["R-4.1-refuse"]', refusalReasonNl=REASON,
                  explanationImpossible=False, partnerIds='["gem-groningen"]', tenantId="riec-noord", taskKey="pi-1/act-1")
    return RefusalLetterInput.model_validate({**values, **kw})


def test_r_4_1_refuse_letter_gives_the_reason_and_rule_ids_in_dutch_as_pdf(registers):
    made = refusal_letter(task(), database=registers, tasklist_url=LINK)
    letter = refusal.get(registers, made.refusal_letter_ref)
    assert letter is not None and letter.explanation_possible and letter.rule_ids == ["R-4.1-refuse"]
    text = pdf_text(letter.pdf)
    assert "Betreft: uw verzoek om politiegegevens in casus SIG-BRIEF-1" in text
    assert "Het verzoek is geweigerd" in text
    assert "de nationale veiligheid zich daartegen verzet" in text and "er loopt een onderzoek" in text
    assert "R-4.1-refuse: art. 4, eerste lid" in text
    assert f"Kenmerk: {letter.ref}" in text and "RIEC Noord-Nederland" in text and "gem-groningen" in text


def test_r_4_1_refuse_explanation_not_possible_the_letter_gives_no_reason(registers):
    impossible = ("De politie verstrekt de gevraagde gegevens niet, omdat het zwaarwegend opsporingsbelang zich daartegen "
                  "verzet. Een nadere toelichting is in dit geval niet mogelijk.")
    made = refusal_letter(task(decisionRef="entry-456", refusalReasonNl=impossible, explanationImpossible=True),
                          database=registers, tasklist_url=LINK)
    letter = refusal.get(registers, made.refusal_letter_ref)
    assert letter is not None and not letter.explanation_possible
    text = pdf_text(letter.pdf)
    assert "Het verzoek is geweigerd: de gevraagde gegevens worden niet verstrekt." in text
    for leaked in ("opsporingsbelang", "Reden", "R-4.1-refuse", "Toelichting", "berust op"):
        assert leaked not in text, leaked


def test_r_5_1e_refusal_names_its_rule(registers):
    made = refusal_letter(task(decisionRef="entry-789", refusalRuleIds='["R-5.1e"]',
                               refusalReasonNl="Na raadpleging van de functionaris ex art. 2:10 Besluit politiegegevens, die negatief heeft geadviseerd, wordt niet verstrekt."),
                          database=registers, tasklist_url=LINK)
    text = pdf_text(refusal.get(registers, made.refusal_letter_ref).pdf)
    assert "negatief heeft geadviseerd" in text and "R-5.1e: art. 5, eerste lid, onder e" in text


def test_letter_is_stored_registered_and_announced_once(registers):
    first = refusal_letter(task(), database=registers, tasklist_url=LINK)
    again = refusal_letter(task(), database=registers, tasklist_url=LINK)  # the external task delivered twice
    assert first == again
    assert [x.ref for x in refusal.for_case(registers, "SIG-BRIEF-1")] == [first.refusal_letter_ref]
    entries = [e.entry for e in pr.iter_entries(registers, case_id="SIG-BRIEF-1")]
    assert [(e.kind, e.references.get("letter")) for e in entries] == [(pr.EntryKind.REFUSAL, first.refusal_letter_ref)]
    assert pr.verify_chain(registers).ok
    [mail] = outbox.rows(registers)
    assert (mail.kind, mail.recipient_group, mail.region, mail.business_key) == ("refused", "riec-analyst", "riec-noord", "SIG-BRIEF-1")
    assert first.refusal_letter_ref in mail.body and "nationale veiligheid" not in mail.body  # no reason in mail


def test_own_initiative_refusal_has_no_requester_and_no_letter(registers):
    made = refusal_letter(task(ownInitiative=True), database=registers, tasklist_url=LINK)
    assert made.refusal_letter_ref == "" and refusal.for_case(registers, "SIG-BRIEF-1") == []


def test_process_owner_may_edit_the_template(registers, tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "refusal.txt.j2").write_text("Eigen sjabloon voor {{ case_key }}.\n", encoding="utf-8")
    text = refusal.render_text(ref="BRF-1", case_key="SIG-T", region="riec-limburg", partners=[], explanation_possible=True,
                               reason_nl="x", rule_ids=[], on=__import__("datetime").date(2026, 11, 29), templates=tmp_path / "tpl")
    assert text == "Eigen sjabloon voor SIG-T.\n"
