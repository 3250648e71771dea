"""Command line of the registers, plugged into the main ``riec`` parser.

``add_commands(subparsers)`` adds::

    riec registers init | seed-demo [--today DATE] | revision -m MSG
    riec legal-basis list [--json] | add ... | load FILE | check DATE
    riec authorisation list [--region R] [--json] | add-partner ... | add-person ... | withdraw ID
                       | check PERSON --scope art9 [--scope art10_1a] [--on DATE]
    riec register verify [--json] | export-person REF [--output FILE] | head

Every group takes ``--database-url`` (default: ``RIEC_DATABASE_URL`` or the
SQLite file in the data folder) and ``--actor`` (who is recorded in the provision
register; default: the OS user). Each handler takes the parsed arguments and
returns an exit code (0 ok, 1 refused / broken, 2 bad input); it is stored as
both ``args.func`` and ``args.handler`` and may be called as ``func(args)`` or
``func(args, settings)`` (then ``settings.effective_database_url`` is the default). Run standalone with
``python -m riec.compliance.cli ...``.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from . import authorisation, db, demo, legal_basis, provision_register
from .models import DataCategory, DesignatedPerson, LegalBasis, Partner

Handler = Callable[[argparse.Namespace], int]


# --------------------------------------------------------------------------- Python API for start-up scripts


def init_registers(url: str | None = None) -> str:
    """Migrate the registers' schema to head, register the built-in 2013 decree and load
    ``RIEC_LEGAL_BASES_FILE`` if set. Idempotent; safe when several processes start at once.
    Returns the schema revision."""
    engine = db.get_engine(url)
    db.migrate(engine)
    legal_basis.ensure_builtin(engine)
    legal_basis.load_from_env(engine)
    return db.current_revision(engine) or ""


def seed_demo(url: str | None = None, today: date | None = None) -> dict[str, int]:
    """``init_registers`` plus the demo content (idempotent)."""
    init_registers(url)
    return demo.seed(db.get_engine(url), today or date.today())


#: The name riec.cli's ``seed-demo`` looks for.
seed_demo_registers = seed_demo


def verify_register(url: str | None = None) -> provision_register.VerifyResult:
    return provision_register.verify_chain(db.get_engine(url))


# --------------------------------------------------------------------------- helpers


def _engine(args: argparse.Namespace):
    """The registers' engine, refusing with the next step when the schema is not at head."""
    engine = db.get_engine(args.database_url)
    current, head = db.current_revision(engine), db.head_revision()
    if current != head:
        where = engine.url.render_as_string(hide_password=True)
        raise RuntimeError(f"the registers at {where} are at schema revision {current or 'none'}, not {head}: run `riec registers init` first")
    return engine


def _actor(args: argparse.Namespace) -> str:
    if args.actor:
        return args.actor
    try:
        return "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in getpass.getuser()) or "operator"
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "operator"


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _category(value: str) -> DataCategory:
    try:
        return DataCategory(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"unknown data category {value!r}; one of: {', '.join(DataCategory)}") from exc


def _print_json(data) -> None:  # noqa: ANN001
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _err(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL of the registers (default: RIEC_DATABASE_URL or the data folder's SQLite file)")
    common.add_argument("--actor", default=None, help="who is recorded in the provision register (default: OS user)")
    return common


def _group(subparsers, name: str, help_: str) -> argparse._SubParsersAction:
    p = subparsers.add_parser(name, help=help_, description=help_)

    def usage(_args: argparse.Namespace, _settings=None) -> int:  # noqa: ANN001
        p.print_help(sys.stderr)
        return 2

    p.set_defaults(func=usage, handler=usage)
    return p.add_subparsers(dest=f"{name.replace('-', '_')}_command", metavar="COMMAND")


def _cmd(sub, name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_, description=help_, parents=[_common()])

    def run(args: argparse.Namespace, settings=None) -> int:  # noqa: ANN001 - riec.cli passes its Settings
        if args.database_url is None and settings is not None:
            args.database_url = settings.effective_database_url
        return handler(args)

    run.__doc__ = handler.__doc__
    p.set_defaults(func=run, handler=run)
    return p


# --------------------------------------------------------------------------- registers


def cmd_registers_init(args: argparse.Namespace) -> int:
    rev = init_registers(args.database_url)
    print(f"registers at schema revision {rev} ({db.get_engine(args.database_url).url.render_as_string(hide_password=True)})")
    return 0


def cmd_registers_seed_demo(args: argparse.Namespace) -> int:
    added = seed_demo(args.database_url, args.today)
    print("demo registers ready: added " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in added.items()))
    return 0


def cmd_registers_revision(args: argparse.Namespace) -> int:
    from alembic import command

    engine = db.get_engine(args.database_url)  # migrated to head first, so no schema check here
    db.migrate(engine)
    with engine.begin() as conn:
        command.revision(db._alembic_config(conn), message=args.message, autogenerate=True, rev_id=args.rev_id)
    return 0


# --------------------------------------------------------------------------- legal-basis


def _basis_line(b: LegalBasis) -> str:
    until = b.valid_until.isoformat() if b.valid_until else "open"
    return f"{b.id:34} {b.valid_from.isoformat()} .. {until:10}  {b.name}"


def cmd_basis_list(args: argparse.Namespace) -> int:
    bases = legal_basis.list_bases(_engine(args))
    if args.json:
        _print_json([b.model_dump(mode="json") for b in bases])
    else:
        for b in bases:
            print(_basis_line(b))
        if not bases:
            print("no legal bases registered (run `riec registers init`)")
    return 0


def cmd_basis_add(args: argparse.Namespace) -> int:
    try:
        basis = LegalBasis(id=args.id, name=args.name, citation=args.citation, valid_from=args.valid_from,
                           valid_until=args.valid_until, note=args.note or "")
        result = legal_basis.add_basis(_engine(args), basis, actor=_actor(args), replace=args.replace)
    except (ValidationError, legal_basis.LegalBasisConflict) as exc:
        return _err(str(exc))
    print(f"{result}: {_basis_line(basis)}")
    return 0


def cmd_basis_load(args: argparse.Namespace) -> int:
    try:
        results = legal_basis.load_file(_engine(args), args.file, actor=_actor(args))
    except (OSError, ValueError) as exc:  # ValidationError, JSON and TOML errors are ValueErrors
        return _err(f"{args.file}: {exc}")
    for basis_id, result in results.items():
        print(f"{result}: {basis_id}")
    return 0


def cmd_basis_check(args: argparse.Namespace) -> int:
    decision = legal_basis.decide(_engine(args), args.date)
    print(f"{decision.outcome}: {decision.reason_en}" + (f" [{decision.legal_basis_id}]" if decision.legal_basis_id else ""))
    return 0 if decision.allowed else 1


# --------------------------------------------------------------------------- authorisation


def cmd_auth_list(args: argparse.Namespace) -> int:
    engine = _engine(args)
    partners = authorisation.list_partners(engine, args.region)
    persons = authorisation.list_persons(engine, region=args.region)
    if args.json:
        _print_json({"partners": [p.model_dump(mode="json") for p in partners],
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


def cmd_auth_add_partner(args: argparse.Namespace) -> int:
    try:
        partner = Partner(id=args.id, name=args.name, region=args.region, kind=args.kind, active=not args.inactive)
    except ValidationError as exc:
        return _err(str(exc))
    print(f"{authorisation.upsert_partner(_engine(args), partner, actor=_actor(args))}: partner {partner.id}")
    return 0


def cmd_auth_add_person(args: argparse.Namespace) -> int:
    try:
        person = DesignatedPerson(id=args.id, partner_id=args.partner, name=args.name, scopes=frozenset(args.scope or ()),
                                  screening_date=args.screened_on, screening_valid_until=args.screening_valid_until)
        result = authorisation.upsert_person(_engine(args), person, actor=_actor(args))
    except (ValidationError, authorisation.UnknownPartner) as exc:
        return _err(str(exc))
    print(f"{result}: person {person.id}")
    return 0


def cmd_auth_withdraw(args: argparse.Namespace) -> int:
    if authorisation.withdraw_person(_engine(args), args.person, actor=_actor(args)):
        print(f"withdrawn: {args.person}")
        return 0
    return _err(f"no active designated person {args.person!r}")


def cmd_auth_check(args: argparse.Namespace) -> int:
    decision = authorisation.check(_engine(args), args.person, args.scope, args.on or date.today())
    if args.json:
        _print_json(decision.to_record())
    else:
        print(f"{decision.outcome}: {decision.reason_en}")
        print(f"  NL: {decision.reason_nl}")
        if decision.codes:
            print(f"  codes: {', '.join(decision.codes)}")
    return 0 if decision.allowed else 1


# --------------------------------------------------------------------------- register


def cmd_register_verify(args: argparse.Namespace) -> int:
    result = verify_register(args.database_url)
    if args.json:
        _print_json(result.model_dump())
    else:
        print(result.describe())
    return 0 if result.ok else 1


def cmd_register_export(args: argparse.Namespace) -> int:
    export = provision_register.export_person(_engine(args), args.ref)
    text = json.dumps(export, indent=2, ensure_ascii=False)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"{export['count']} entries about {args.ref} written to {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0


def cmd_register_head(args: argparse.Namespace) -> int:
    seq, digest = provision_register.head(_engine(args))
    print(f"#{seq} {digest}")
    return 0


# --------------------------------------------------------------------------- wiring


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add the register commands to the main ``riec`` parser's sub-parsers."""
    sub = _group(subparsers, "registers", "Create, migrate and seed the registers' database.")
    _cmd(sub, "init", cmd_registers_init, "Migrate the schema to the latest revision and register built-in legal bases.")
    p = _cmd(sub, "seed-demo", cmd_registers_seed_demo, "Initialise and add demo legal bases, partners and persons (idempotent).")
    p.add_argument("--today", type=_date, default=None, help="reference date for demo screening dates (default: today)")
    p = _cmd(sub, "revision", cmd_registers_revision, "Developers: generate a new migration from the table definitions.")
    p.add_argument("-m", "--message", required=True)
    p.add_argument("--rev-id", required=True, help="e.g. 0002_short_name")

    sub = _group(subparsers, "legal-basis", "The legal-basis register (R-8).")
    p = _cmd(sub, "list", cmd_basis_list, "List registered legal bases and their validity windows.")
    p.add_argument("--json", action="store_true")
    p = _cmd(sub, "add", cmd_basis_add, "Register a legal basis (e.g. a successor of the 2013 decree).")
    p.add_argument("--id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--citation", required=True)
    p.add_argument("--valid-from", required=True, type=_date)
    p.add_argument("--valid-until", type=_date, default=None, help="last valid day; omit for open-ended")
    p.add_argument("--note", default="")
    p.add_argument("--replace", action="store_true", help="overwrite an existing basis with this id")
    p = _cmd(sub, "load", cmd_basis_load, "Register (or update) the legal bases in a JSON or TOML file.")
    p.add_argument("file")
    p = _cmd(sub, "check", cmd_basis_check, "Which basis applies on a date (exit 1 if none).")
    p.add_argument("date", type=_date)

    sub = _group(subparsers, "authorisation", "The authorisation register (R-1, R-5.1b, R-5.1c).")
    p = _cmd(sub, "list", cmd_auth_list, "List partners and designated persons.")
    p.add_argument("--region", default=None)
    p.add_argument("--json", action="store_true")
    p = _cmd(sub, "add-partner", cmd_auth_add_partner, "Add or update a partner organisation of a RIEC region.")
    p.add_argument("--id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--region", required=True)
    p.add_argument("--kind", default="other", help="municipality, tax, kmar, om, police, ...")
    p.add_argument("--inactive", action="store_true", help="the partner no longer participates")
    p = _cmd(sub, "add-person", cmd_auth_add_person, "Designate (or update) a person of a partner.")
    p.add_argument("--id", required=True)
    p.add_argument("--partner", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--scope", action="append", type=_category, help="data category the person may receive (repeat)")
    p.add_argument("--screened-on", type=_date, default=None)
    p.add_argument("--screening-valid-until", type=_date, default=None)
    p = _cmd(sub, "withdraw", cmd_auth_withdraw, "Withdraw a person's designation.")
    p.add_argument("person")
    p = _cmd(sub, "check", cmd_auth_check, "Check a recipient as at the moment of provision (exit 1 if refused).")
    p.add_argument("person")
    p.add_argument("--scope", action="append", type=_category, required=True)
    p.add_argument("--on", type=_date, default=None, help="date of provision (default: today)")
    p.add_argument("--json", action="store_true")

    sub = _group(subparsers, "register", "The provision register.")
    p = _cmd(sub, "verify", cmd_register_verify, "Verify the hash chain; exit 1 and name the first broken entry.")
    p.add_argument("--json", action="store_true")
    p = _cmd(sub, "export-person", cmd_register_export, "Export all entries about one person (R-5.2) as JSON.")
    p.add_argument("ref", help="the person's reference (pseudonym)")
    p.add_argument("--output", default=None, help="file to write instead of stdout")
    _cmd(sub, "head", cmd_register_head, "Print the newest entry's number and hash (an anchor to keep elsewhere).")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="riec", description="RIEC registers")
    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
