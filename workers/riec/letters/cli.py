"""``riec letter …``: refusal letters (R-4.1-refuse) as stored in the registers' database.

Without ``--user`` the operator's view (every region). With ``--user NAME`` (riec.requester) only letters
of that user's region, and only for the roles that handle them: the analyst who forwards the letter, the
police unit that refused, the privacy officer who audits (R-6.1, docs/security.md). Another region's
letter by its reference is answered as an unknown one.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from riec.cli_support import FAILED, Refused, add_command, add_group, print_json
from riec.requester import Requester, add_user_option, requester

if TYPE_CHECKING:
    from riec.app import App
    from riec.letters.refusal import Letter

#: Roles that read refusal letters (docs/security.md, row `letters`).
LETTER_READERS = frozenset({"riec-analyst", "police-unit", "privacy-officer"})


def _asker(args: argparse.Namespace, app: App) -> Requester:
    asker = requester(args, app)
    asker.require(LETTER_READERS, "weigeringsbrieven")
    return asker


def _letter(args: argparse.Namespace, app: App) -> Letter | None:
    """The letter ``args.ref`` if the one who asks may see it (R-6.1); a user is refused an unseen one in Dutch."""
    from riec.letters import refusal

    asker = _asker(args, app)
    letter = refusal.get(app.migrated_database(), args.ref)
    if letter is not None and asker.sees(letter.region):
        return letter
    if asker.user is not None:
        # the same answer for another region's letter as for none at all.
        raise Refused(f"Er is geen weigeringsbrief {args.ref}.")
    print(f"error: no letter {args.ref}")
    return None


def cmd_letter_show(args: argparse.Namespace, app: App) -> int:
    letter = _letter(args, app)
    if letter is None:
        return FAILED
    if args.json:
        print_json({"ref": letter.ref, "case_key": letter.case_key, "decision_ref": letter.decision_ref, "region": letter.region,
                    "explanation_possible": letter.explanation_possible, "rule_ids": letter.rule_ids,
                    "created_at": letter.created_at.isoformat(), "text_nl": letter.text_nl})
    else:
        print(letter.text_nl)
    return 0


def cmd_letter_pdf(args: argparse.Namespace, app: App) -> int:
    letter = _letter(args, app)
    if letter is None:
        return FAILED
    Path(args.out).write_bytes(letter.pdf)
    print(f"{args.ref} written to {args.out}")
    return 0


def cmd_letter_list(args: argparse.Namespace, app: App) -> int:
    from sqlalchemy import select

    from riec.compliance import db
    from riec.letters import refusal

    asker = _asker(args, app)
    database = app.migrated_database()
    if args.case:
        letters = refusal.for_case(database, args.case)
    else:
        with db.read_transaction(database) as conn:
            refs: list[str] = list(conn.execute(select(db.refusal_letter.c.ref).order_by(db.refusal_letter.c.created_at)).scalars())
        letters = [letter for ref in refs if (letter := refusal.get(database, ref)) is not None]
    for letter in letters:
        if asker.sees(letter.region):  # another region's letters are not listed
            print(f"{letter.ref}  {letter.created_at:%Y-%m-%d %H:%M}  {letter.case_key}  "
                  f"{'met reden' if letter.explanation_possible else 'zonder toelichting'}")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    letter = add_group(sub, "letter", "refusal letters to the requesting partner (R-4.1-refuse)")
    show = add_command(letter, "show", cmd_letter_show, "print a letter's text")
    show.add_argument("ref")
    show.add_argument("--json", action="store_true")
    add_user_option(show)
    pdf = add_command(letter, "pdf", cmd_letter_pdf, "write a letter's PDF to a file")
    pdf.add_argument("ref")
    pdf.add_argument("out")
    add_user_option(pdf)
    listing = add_command(letter, "list", cmd_letter_list, "the letters of one case, or every letter the one who asks may see")
    listing.add_argument("case", nargs="?", default=None)
    add_user_option(listing)
