"""``riec letter …``: refusal letters (R-4.1-refuse) as stored in the registers' database."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from riec.cli_support import FAILED, add_command, add_group, print_json

if TYPE_CHECKING:
    from riec.app import App


def cmd_letter_show(args: argparse.Namespace, app: App) -> int:
    from riec.letters import refusal

    letter = refusal.get(app.migrated_database(), args.ref)
    if letter is None:
        print(f"error: no letter {args.ref}")
        return FAILED
    if args.json:
        print_json({"ref": letter.ref, "case_key": letter.case_key, "decision_ref": letter.decision_ref, "region": letter.region,
                    "explanation_possible": letter.explanation_possible, "rule_ids": letter.rule_ids,
                    "created_at": letter.created_at.isoformat(), "text_nl": letter.text_nl})
    else:
        print(letter.text_nl)
    return 0


def cmd_letter_pdf(args: argparse.Namespace, app: App) -> int:
    from riec.letters import refusal

    letter = refusal.get(app.migrated_database(), args.ref)
    if letter is None:
        print(f"error: no letter {args.ref}")
        return FAILED
    Path(args.out).write_bytes(letter.pdf)
    print(f"{args.ref} written to {args.out}")
    return 0


def cmd_letter_list(args: argparse.Namespace, app: App) -> int:
    from riec.letters import refusal

    for letter in refusal.for_case(app.migrated_database(), args.case):
        print(f"{letter.ref}  {letter.created_at:%Y-%m-%d %H:%M}  {'met reden' if letter.explanation_possible else 'zonder toelichting'}")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    letter = add_group(sub, "letter", "refusal letters to the requesting partner (R-4.1-refuse)")
    show = add_command(letter, "show", cmd_letter_show, "print a letter's text")
    show.add_argument("ref")
    show.add_argument("--json", action="store_true")
    pdf = add_command(letter, "pdf", cmd_letter_pdf, "write a letter's PDF to a file")
    pdf.add_argument("ref")
    pdf.add_argument("out")
    listing = add_command(letter, "list", cmd_letter_list, "the letters of one case")
    listing.add_argument("case")
