"""Mail: notifications go through an outbox table and a sender (issue 10, deliverable 4).

* :mod:`riec.mail.outbox`  -- the outbox table's rows, written in the same transaction as the record
  that causes them (:class:`OutboxNotifier` implements :class:`riec.notifications.Notifier`).
* :mod:`riec.mail.sender`  -- claims rows with a lease, delivers them over SMTP with retries, marks them sent.
* :mod:`riec.mail.mailbox` -- the local SMTP server ``riec up`` starts (``riec mail list``): stores each
  message once per Message-ID, so a message resent after a crash is not delivered twice.

The delivery guarantee and its limits are described in docs/mail.md.
"""
