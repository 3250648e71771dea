"""R-4.1-refuse on the real engine: a refused request ends with the Dutch refusal letter (issue 10).

The police's *Weigeringsbrief opstellen* (topic ``refusal-letter``) runs with the real
workers; the letter is read back from the registers' database and its PDF text checked.
"""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from riec.compliance import db
from riec.letters import refusal
from riec.mail import outbox
from tests.integration.case_steps import police_decides, police_outcome, to_request

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def registers(engine):
    yield db.open_database(engine.settings.effective_database_url)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_r_4_1_refuse_refused_request_gets_a_letter_with_reason_and_rule_ids(engine, workers, business_key, registers):
    to_request(engine, business_key, ["art9"])
    police_decides(engine, business_key, judgement={
        "relevantDataExist": "yes", "opposingInterest": "investigative_interest",
        "refusalExplanation": "Er loopt een opsporingsonderzoek dat door verstrekking wordt geschaad."})
    police = police_outcome(engine, business_key)
    assert "EndEvent_Refuse" in police["endActivityIds"]
    ref = police["variables"]["refusalLetterRef"]
    [letter] = refusal.for_case(registers, business_key)
    assert letter.ref == ref and letter.explanation_possible
    text = pdf_text(letter.pdf)
    assert f"casus {business_key}" in text and "Het verzoek is geweigerd" in text
    assert "zwaarwegend opsporingsbelang" in text and "Er loopt een opsporingsonderzoek" in text
    assert "R-4.1-refuse: art. 4, eerste lid" in text
    # The letter lives in the registers, not in the process: only its reference is a variable.
    assert not any(isinstance(v, str) and "Geachte heer, mevrouw" in v for v in police["variables"].values())
    mails = outbox.rows(registers, business_key=business_key)
    assert [(m.kind, m.recipient_group) for m in mails if m.kind == "refused"] == [("refused", "riec-analyst")]


def test_r_4_1_refuse_explanation_not_possible_letter_gives_no_reason(engine, workers, business_key, registers):
    to_request(engine, business_key, ["art9"])
    police_decides(engine, business_key, judgement={
        "relevantDataExist": "yes", "opposingInterest": "investigative_interest", "explanationImpossible": True,
        "explanationImpossibleReason": "Een toelichting zou het bestaan van het onderzoek prijsgeven."})
    police_outcome(engine, business_key)
    [letter] = refusal.for_case(registers, business_key)
    assert not letter.explanation_possible
    text = pdf_text(letter.pdf)
    assert "Het verzoek is geweigerd: de gevraagde gegevens worden niet verstrekt." in text
    for leaked in ("opsporingsbelang", "prijsgeven", "R-4.1-refuse", "Reden", "Toelichting"):
        assert leaked not in text, leaked


def test_mail_goes_to_the_engine_users_of_the_group_in_the_region_only(engine, business_key, registers, tmp_path):
    """Addresses come from the engine's users of the role group and region (R-6.1): Limburg's analyst is not told."""
    import datetime as dt
    import socket

    from riec.mail.mailbox import Mailbox, start_server
    from riec.mail.outbox import OutboxNotifier
    from riec.mail.sender import EngineDirectory, MailSender
    from riec.notifications import Notification

    OutboxNotifier(registers, link="http://localhost/tasklist/").notify(Notification(
        key=f"test:{business_key}", kind="refused", recipient_group="riec-analyst", business_key=business_key,
        task_ref="refusal-letter", text_nl=f"Het verzoek in casus {business_key} is geweigerd.",
        created_at=dt.datetime.now(dt.timezone.utc), region="riec-noord"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mailbox = Mailbox(tmp_path / "mailbox.sqlite")
    server = start_server(mailbox, "127.0.0.1", port)
    try:
        sender = MailSender(registers, EngineDirectory(engine.client()), host="127.0.0.1", port=port,
                            from_address="riec-noreply@riec.example", owner=f"test-{business_key}")
        [row] = outbox.rows(registers, business_key=business_key)
        assert sender.deliver(sender.claim_one(row.id))
    finally:
        server.stop()
    [mail] = [m for m in mailbox.messages() if business_key in m.subject]
    assert mail.rcpt_tos == ["analist@riec.example"]
