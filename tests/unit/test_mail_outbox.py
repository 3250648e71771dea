"""The mail outbox (issue 10): queued with its record in one transaction, sent with retries, never twice.

A real SMTP server (aiosmtpd, riec.mail.mailbox) is started by the test run.
"""
from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from sqlalchemy import func, select

from riec.compliance import db
from riec.compliance.db import mail_outbox, notification
from riec.mail import outbox
from riec.mail.mailbox import Mailbox, start_server
from riec.mail.outbox import OutboxNotifier
from riec.mail.sender import MailSender, StaticDirectory
from riec.notifications import Notification

LINK = "http://localhost:8080/camunda/app/tasklist/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def registers(tmp_path):
    database = db.open_database(f"sqlite:///{tmp_path / 'riec.sqlite'}")
    db.migrate(database)
    yield database
    db.close_databases()


def note(key: str, case: str = "SIG-MAIL-1", kind: str = "overdue", group: str = "riec-analyst") -> Notification:
    return Notification(key=key, kind=kind, recipient_group=group, business_key=case, task_ref="Task_WorkUp",
                        text_nl=f"De taak 'Casus opwerken · {case}' is over de termijn. Pak haar op in Tasklist.",
                        created_at=dt.datetime.now(dt.timezone.utc), region="riec-noord")


def sender(registers, port: int, **kw) -> MailSender:
    directory = StaticDirectory({"riec-analyst@riec-noord": ["analist@riec.example"], "police-unit": ["politie@riec.example"]})
    return MailSender(registers, directory, host="127.0.0.1", port=port, from_address="riec-noreply@riec.example",
                      **{"owner": "test-sender", "lease_s": 60, "retry_base_s": 0.05, **kw})


def test_notification_and_its_mail_are_written_together_once(registers):
    notifier = OutboxNotifier(registers, link=LINK)
    assert notifier.notify(note("overdue:1")) is True
    assert notifier.notify(note("overdue:1")) is False  # the external task delivered twice
    with db.read_transaction(registers) as conn:
        assert conn.execute(select(func.count()).select_from(notification)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(mail_outbox)).scalar_one() == 1
    [row] = outbox.rows(registers)
    assert row.status == "pending" and row.message_id == outbox.message_id_for("overdue:1")
    assert row.subject == "Taak verlopen · SIG-MAIL-1"
    assert LINK in row.body and "geen persoons- of politiegegevens" in row.body


def test_a_rolled_back_record_leaves_no_mail(registers):
    with pytest.raises(RuntimeError):
        with db.write_transaction(registers) as conn:
            outbox.enqueue(conn, note("refused:1", kind="refused"), link=LINK)
            raise RuntimeError("the record failed")
    assert outbox.rows(registers) == []


def test_mail_waits_while_the_smtp_server_is_down_and_goes_out_when_it_is_back(registers, tmp_path):
    port = free_port()
    OutboxNotifier(registers, link=LINK).notify(note("overdue:down"))
    mail = sender(registers, port)
    assert mail.run_once() == 0  # connection refused
    [row] = outbox.rows(registers)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "ConnectionRefusedError")
    mail.run_once()  # perhaps not due yet, perhaps refused again: either way the mail stays
    assert outbox.rows(registers)[0].status == "pending"

    mailbox = Mailbox(tmp_path / "mailbox.sqlite")
    server = start_server(mailbox, "127.0.0.1", port)
    try:
        deadline = time.monotonic() + 10
        while outbox.rows(registers)[0].status != "sent" and time.monotonic() < deadline:
            mail.run_once()
            time.sleep(0.05)
    finally:
        server.stop()
    [row] = outbox.rows(registers)
    assert row.status == "sent" and row.last_error is None
    [received] = mailbox.messages()
    assert received.message_id == row.message_id and received.rcpt_tos == ["analist@riec.example"]
    assert received.subject == "Taak verlopen · SIG-MAIL-1" and received.duplicates == 0
    assert "Casus opwerken · SIG-MAIL-1" in received.body and LINK in received.body


def test_without_an_address_the_mail_waits_and_is_not_dropped(registers, tmp_path):
    OutboxNotifier(registers, link=LINK).notify(note("overdue:nobody", group="case-prosecutor"))
    mailbox = Mailbox(tmp_path / "mailbox.sqlite")
    port = free_port()
    server = start_server(mailbox, "127.0.0.1", port)
    try:
        assert sender(registers, port).run_once() == 0
    finally:
        server.stop()
    [row] = outbox.rows(registers)
    assert (row.status, row.last_error) == ("pending", "NoRecipients")
    assert mailbox.messages() == []


def test_a_lapsed_lease_is_sent_again_with_the_same_message_id_and_the_server_keeps_it_once(registers, tmp_path):
    OutboxNotifier(registers, link=LINK).notify(note("overdue:lease"))
    mailbox = Mailbox(tmp_path / "mailbox.sqlite")
    port = free_port()
    server = start_server(mailbox, "127.0.0.1", port)
    try:
        # A lease long enough that the send below cannot outlast it on a busy machine (0.2 s once did, and the
        # "still held" check then met a lapsed lease), short enough to wait out.
        lease_s = 1.5
        crashed = sender(registers, port, lease_s=lease_s)
        [row] = crashed.claim()
        claimed = time.monotonic()
        # The crash window: the server has the message, the sender dies before marking it.
        import smtplib
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(crashed.message(row, ["analist@riec.example"]))
        assert outbox.rows(registers)[0].status == "sending"
        assert time.monotonic() - claimed < lease_s, "the send took longer than the lease: the check below would mean nothing"
        assert sender(registers, port, owner="other").run_once() == 0  # lease still held: not touched
        time.sleep(max(0.0, claimed + lease_s + 0.1 - time.monotonic()))
        assert sender(registers, port, owner="other").run_once() == 1
    finally:
        server.stop()
    [row] = outbox.rows(registers)
    assert row.status == "sent" and row.attempts == 2
    [received] = mailbox.messages()
    assert received.message_id == row.message_id and received.duplicates == 1
