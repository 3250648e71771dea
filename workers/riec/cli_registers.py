"""The registers' commands of ``riec`` (added to the one parser by riec.cli)::

    riec database init | revision -m MSG --rev-id ID
    riec legal-basis list [--json] | add ... | load FILE | check DATE
    riec authorisation list [--region R] [--json] | add-partner ... | add-person ... | withdraw ID
                       | check PERSON --scope art9 [--scope art10_1a] [--on DATE]
    riec provision-register verify [--json] | list [--case K] [--region R] [--json] | export-person REF [--output FILE] | head

The register's views (``list``, ``export-person``) also take ``--user NAME`` (riec.requester): then only
entries of that user's region (or, for an onward provision, of its receiving region) and only for the
privacy officer (R-6.1, R-5.2; docs/security.md). Without it they are the operator's, every region.

Every command takes ``--database-url`` (default: the app's, i.e. ``RIEC_DATABASE_URL``
or the SQLite file in the data folder) and ``--actor`` (who is recorded in the
provision register; default: the OS user). Like every ``riec`` command, a handler
is ``(args, app) -> int`` and raises :class:`riec.cli_support.Refused` for input it refuses.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine

from riec.app import App
from riec.cli_support import Command, Refused, add_command, add_group, print_json, valid_date
from riec.compliance import authorisation, db, legal_basis, provision_register
from riec.compliance.models import DataCategory, DesignatedPerson, LegalBasis, Partner
from riec.compliance.registers import init_registers, require_head, verify
from riec.requester import Requester, add_user_option, requester

#: Roles that read the provision register's entries (the audit, R-5.2; docs/security.md, row `register`).
REGISTER_READERS = frozenset({"privacy-officer"})
#: Where an onward provision's entry names the region that received it (R-6.2, issue 12): such an entry
#: shows in the views of both regions.
RECEIVING_REGION = "receiving_region"


def _database(args: argparse.Namespace, app: App) -> Engine:
    return db.open_database(args.database_url) if args.database_url else app.database


def _current(args: argparse.Namespace, app: App) -> Engine:
    """The registers' database, refusing with the next step when the schema is not at head."""
    return require_head(_database(args, app))


def _actor(args: argparse.Namespace) -> str:
    if args.actor:
        return str(args.actor)
    try:
        return "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in getpass.getuser()) or "operator"
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "operator"


def _category(value: str) -> DataCategory:
    try:
        return DataCategory(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"unknown data category {value!r}; one of: {', '.join(DataCategory)}") from exc


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL of the registers (default: RIEC_DATABASE_URL or the data folder's SQLite file)")
    common.add_argument("--actor", default=None, help="who is recorded in the provision register (default: OS user)")
    return common


# --------------------------------------------------------------------------- database


def cmd_database_init(args: argparse.Namespace, app: App) -> int:
    database = _database(args, app)
    rev = init_registers(database, app.settings.legal_bases_file)
    print(f"registers at schema revision {rev} ({database.url.render_as_string(hide_password=True)})")
    return 0


def cmd_database_revision(args: argparse.Namespace, app: App) -> int:
    from alembic import command

    database = _database(args, app)  # migrated to head first, so no schema check here
    db.migrate(database)
    with database.begin() as conn:
        command.revision(db._alembic_config(conn), message=args.message, autogenerate=True, rev_id=args.rev_id)
    return 0


# --------------------------------------------------------------------------- legal-basis


def _basis_line(b: LegalBasis) -> str:
    until = b.valid_until.isoformat() if b.valid_until else "open"
    return f"{b.id:34} {b.valid_from.isoformat()} .. {until:10}  {b.name}"


def cmd_basis_list(args: argparse.Namespace, app: App) -> int:
    bases = legal_basis.list_bases(_current(args, app))
    if args.json:
        print_json([b.model_dump(mode="json") for b in bases])
    else:
        for b in bases:
            print(_basis_line(b))
        if not bases:
            print("no legal bases registered (run `riec database init`)")
    return 0


def cmd_basis_add(args: argparse.Namespace, app: App) -> int:
    try:
        basis = LegalBasis(id=args.id, name=args.name, citation=args.citation, valid_from=args.valid_from,
                           valid_until=args.valid_until, note=args.note or "")
        result = legal_basis.add_basis(_current(args, app), basis, actor=_actor(args), replace=args.replace)
    except legal_basis.LegalBasisConflict as exc:
        raise Refused(str(exc)) from None
    print(f"{result}: {_basis_line(basis)}")
    return 0


def cmd_basis_load(args: argparse.Namespace, app: App) -> int:
    try:
        results = legal_basis.load_file(_current(args, app), args.file, actor=_actor(args))
    except ValidationError:
        raise
    except (OSError, ValueError) as exc:  # JSON and TOML errors are ValueErrors
        raise Refused(f"{args.file}: {exc}") from None
    for basis_id, result in results.items():
        print(f"{result}: {basis_id}")
    return 0


def cmd_basis_check(args: argparse.Namespace, app: App) -> int:
    decision = legal_basis.decide(_current(args, app), args.date)
    print(f"{decision.outcome}: {decision.reason_en}" + (f" [{decision.legal_basis_id}]" if decision.legal_basis_id else ""))
    return 0 if decision.allowed else 1


# --------------------------------------------------------------------------- authorisation


def cmd_auth_list(args: argparse.Namespace, app: App) -> int:
    database = _current(args, app)
    partners = authorisation.list_partners(database, args.region)
    persons = authorisation.list_persons(database, region=args.region)
    if args.json:
        print_json({"partners": [p.model_dump(mode="json") for p in partners],
                    "persons": [p.model_dump(mode="json") for p in persons]})
        return 0
    for partner in partners:
        print(f"{partner.region} / {partner.id}: {partner.name} ({partner.kind}{'' if partner.active else ', inactive'})")
        for person in (x for x in persons if x.partner_id == partner.id):
            screening = (f"screened {person.screening_date} valid until {person.screening_valid_until}"
                         if person.screening_valid_until else "no screening")
            print(f"    {person.id}: {person.name}; scopes {','.join(sorted(person.scopes)) or '-'}; {screening}"
                  f"{'' if person.active else '; WITHDRAWN'}")
    return 0


def cmd_auth_add_partner(args: argparse.Namespace, app: App) -> int:
    partner = Partner(id=args.id, name=args.name, region=args.region, kind=args.kind, active=not args.inactive)
    print(f"{authorisation.upsert_partner(_current(args, app), partner, actor=_actor(args))}: partner {partner.id}")
    return 0


def cmd_auth_add_person(args: argparse.Namespace, app: App) -> int:
    person = DesignatedPerson(id=args.id, partner_id=args.partner, name=args.name, scopes=frozenset(args.scope or ()),
                              screening_date=args.screened_on, screening_valid_until=args.screening_valid_until)
    try:
        result = authorisation.upsert_person(_current(args, app), person, actor=_actor(args))
    except authorisation.UnknownPartner as exc:
        raise Refused(str(exc)) from None
    print(f"{result}: person {person.id}")
    return 0


def cmd_auth_withdraw(args: argparse.Namespace, app: App) -> int:
    if authorisation.withdraw_person(_current(args, app), args.person, actor=_actor(args)):
        print(f"withdrawn: {args.person}")
        return 0
    raise Refused(f"no active designated person {args.person!r}")


def cmd_auth_check(args: argparse.Namespace, app: App) -> int:
    decision = authorisation.check(_current(args, app), args.person, args.scope, args.on or date.today())
    if args.json:
        print_json(decision.to_record())
    else:
        print(f"{decision.outcome}: {decision.reason_en}")
        print(f"  NL: {decision.reason_nl}")
        if decision.codes:
            print(f"  codes: {', '.join(decision.codes)}")
    return 0 if decision.allowed else 1


# --------------------------------------------------------------------------- provision-register


def cmd_register_verify(args: argparse.Namespace, app: App) -> int:
    result = verify(_current(args, app))
    if args.json:
        print_json(result.model_dump())
    else:
        print(result.describe())
    return 0 if result.ok else 1


def _register_reader(args: argparse.Namespace, app: App) -> Requester:
    asker = requester(args, app)
    asker.require(REGISTER_READERS, "het verstrekkingsregister")
    return asker


def entry_regions(entry: dict[str, Any]) -> tuple[str | None, str | None]:
    """(region, receiving region) of an exported entry: an onward provision is in both regions' view (R-6.1, R-6.2)."""
    return entry.get("region"), (entry.get("references") or {}).get(RECEIVING_REGION)


def cmd_register_list(args: argparse.Namespace, app: App) -> int:
    asker = _register_reader(args, app)
    entries = [e.to_export() for e in provision_register.iter_entries(_current(args, app), case_id=args.case)]
    entries = [e for e in entries if asker.sees(*entry_regions(e))  # the user's region only
               and (args.region is None or args.region in entry_regions(e))]
    if args.json:
        print_json(entries)
        return 0
    for e in entries:
        print(f"#{e['seq']:<6} {e['occurred_at'][:16]}  {e['kind']:30} {e.get('case_id') or '-':20} {e.get('region') or '-':24} "
              f"{e.get('outcome') or '-':9} {','.join(e.get('rule_ids') or ()) or '-'}")
    if not entries:
        print("geen vastleggingen" if asker.user else "no entries")
    return 0


def cmd_register_export(args: argparse.Namespace, app: App) -> int:
    asker = _register_reader(args, app)
    export: dict[str, Any] = provision_register.export_person(_current(args, app), args.ref)
    if not asker.all_regions:  # only the entries of the user's region
        export["entries"] = [e for e in export["entries"] if asker.sees(*entry_regions(e))]
        export["count"] = len(export["entries"])
    text = json.dumps(export, indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"{export['count']} entries about {args.ref} written to {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0


def cmd_register_head(args: argparse.Namespace, app: App) -> int:
    seq, digest = provision_register.head(_current(args, app))
    print(f"#{seq} {digest}")
    return 0


# --------------------------------------------------------------------------- wiring


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the register commands to the ``riec`` parser's sub-parsers."""
    common = [_common()]

    def cmd(sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, handler: Command, help_: str) -> argparse.ArgumentParser:
        return add_command(sub, name, handler, help_, parents=common)

    sub = add_group(subparsers, "database", "Create and migrate the registers' database.")
    cmd(sub, "init", cmd_database_init, "Migrate the schema to the latest revision, register the built-in legal basis and load RIEC_LEGAL_BASES_FILE.")
    p = cmd(sub, "revision", cmd_database_revision, "Developers: generate a new migration from the table definitions.")
    p.add_argument("-m", "--message", required=True)
    p.add_argument("--rev-id", required=True, help="e.g. 0005_short_name")

    sub = add_group(subparsers, "legal-basis", "The legal-basis register (R-8).")
    p = cmd(sub, "list", cmd_basis_list, "List registered legal bases and their validity windows.")
    p.add_argument("--json", action="store_true")
    p = cmd(sub, "add", cmd_basis_add, "Register a legal basis (e.g. a successor of the 2013 decree).")
    p.add_argument("--id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--citation", required=True)
    p.add_argument("--valid-from", required=True, type=valid_date)
    p.add_argument("--valid-until", type=valid_date, default=None, help="last valid day; omit for open-ended")
    p.add_argument("--note", default="")
    p.add_argument("--replace", action="store_true", help="overwrite an existing basis with this id")
    p = cmd(sub, "load", cmd_basis_load, "Register (or update) the legal bases in a JSON or TOML file.")
    p.add_argument("file")
    p = cmd(sub, "check", cmd_basis_check, "Which basis applies on a date (exit 1 if none).")
    p.add_argument("date", type=valid_date)

    sub = add_group(subparsers, "authorisation", "The authorisation register: the partner catalogue, designated persons (R-1, R-5.1b, R-5.1c).")
    p = cmd(sub, "list", cmd_auth_list, "List partners and designated persons.")
    p.add_argument("--region", default=None, help="a region (tenant id), e.g. riec-noord")
    p.add_argument("--json", action="store_true")
    p = cmd(sub, "add-partner", cmd_auth_add_partner, "Add or update a partner organisation of a RIEC region.")
    p.add_argument("--id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--region", required=True, help="the region's tenant id, e.g. riec-noord")
    p.add_argument("--kind", default="other", help="municipality, tax, kmar, om, police, ...")
    p.add_argument("--inactive", action="store_true", help="the partner no longer participates")
    p = cmd(sub, "add-person", cmd_auth_add_person, "Designate (or update) a person of a partner.")
    p.add_argument("--id", required=True)
    p.add_argument("--partner", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--scope", action="append", type=_category, help="data category the person may receive (repeat)")
    p.add_argument("--screened-on", type=valid_date, default=None)
    p.add_argument("--screening-valid-until", type=valid_date, default=None)
    p = cmd(sub, "withdraw", cmd_auth_withdraw, "Withdraw a person's designation.")
    p.add_argument("person")
    p = cmd(sub, "check", cmd_auth_check, "Check a recipient as at the moment of provision (exit 1 if refused).")
    p.add_argument("person")
    p.add_argument("--scope", action="append", type=_category, required=True)
    p.add_argument("--on", type=valid_date, default=None, help="date of provision (default: today)")
    p.add_argument("--json", action="store_true")

    sub = add_group(subparsers, "provision-register", "The provision register (append-only, hash-chained).")
    p = cmd(sub, "verify", cmd_register_verify, "Verify the hash chain; exit 1 and name the first broken entry.")
    p.add_argument("--json", action="store_true")
    p = cmd(sub, "list", cmd_register_list, "List entries (references and codes only), oldest first.")
    p.add_argument("--case", default=None, help="only the entries of this case or signal")
    p.add_argument("--region", default=None, help="only the entries of this region (tenant id)")
    p.add_argument("--json", action="store_true")
    add_user_option(p)
    p = cmd(sub, "export-person", cmd_register_export, "Export all entries about one person (R-5.2) as JSON.")
    p.add_argument("ref", help="the person's reference (pseudonym)")
    p.add_argument("--output", default=None, help="file to write instead of stdout")
    add_user_option(p)
    cmd(sub, "head", cmd_register_head, "Print the newest entry's number and hash (an anchor to keep elsewhere).")
