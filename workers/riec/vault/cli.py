"""``riec vault serve`` (the page, in the foreground), ``riec vault upload`` (the police unit's upload from a shell),
and ``riec vault list | acknowledge | open`` (the page's list and buttons, from a shell).

The upload goes through the page's own address (``RIEC_VAULT_URL``) with the
officer's Tasklist login, so the command line passes the same checks and leaves
the same register entry as the browser. ``list``, ``acknowledge`` and ``open``
sign the user in against the engine's identity exactly as the page does
(riec.requester) and ask the same service (riec.vault.service.Vault): the same
region boundary (R-6.1, and its one exception R-6.2), the same checks, the same
register entries, the same Dutch refusals (exit 2). ``list`` without ``--user``
is the operator's: every package's reference and state, never its content.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from riec.cli_support import DONE, FAILED, Refused, add_command, add_group, print_json
from riec.requester import PASSWORD_VARIABLE, add_user_option, requester

if TYPE_CHECKING:
    from riec.app import App


def cmd_vault_serve(args: argparse.Namespace, app: App) -> int:
    from riec.vault import serve

    print(f"vault: serving on http://{app.settings.vault_host}:{app.settings.vault_port}/", flush=True)
    serve(app)
    return DONE


def cmd_vault_upload(args: argparse.Namespace, app: App) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise Refused(f"Bestand {path} bestaat niet.")
    password = (sys.stdin.readline().rstrip("\n") if args.password_stdin
                else app.environ.get(PASSWORD_VARIABLE) or getpass.getpass(f"Wachtwoord van {args.user}: "))
    base = app.settings.vault_url.rstrip("/")
    with requests.Session() as web:
        web.headers["Accept"] = "application/json"
        try:
            login = web.post(f"{base}/inloggen", data={"username": args.user, "password": password}, timeout=30)
            if login.status_code != 200:
                raise Refused(login.json().get("message", "Inloggen mislukt."))
            with open(path, "rb") as fh:
                answer = web.post(f"{base}/upload", data={"case_key": args.case_key}, files={"file": (path.name, fh)}, timeout=120)
        except requests.RequestException as exc:
            print(f"error: the vault at {base} cannot be reached: {type(exc).__name__}", file=sys.stderr)
            return FAILED
    body = answer.json() if answer.headers.get("Content-Type", "").startswith("application/json") else {}
    if answer.status_code == 201:
        print(f"{body.get('message')} (pakket {body.get('package')})")
        return DONE
    if answer.status_code >= 500:
        print(f"error: {body.get('message', answer.status_code)}", file=sys.stderr)
        return FAILED
    raise Refused(body.get("message", f"Geweigerd ({answer.status_code})."))


def _signed_in(args: argparse.Namespace, app: App):  # noqa: ANN202 - a VaultUser
    asker = requester(args, app)
    assert asker.user is not None  # --user is required for these commands
    return asker.user


def cmd_vault_list(args: argparse.Namespace, app: App) -> int:
    from riec.vault.service import PackageView

    packages: list[PackageView] = app.vault.packages(_signed_in(args, app)) if args.user else app.vault.all_packages()
    if args.json:
        print_json([{"id": p.id, "case_key": p.case_key, "region": p.region, "provided_at": p.provided_at,
                     "data_categories": list(p.data_categories), "acknowledged": p.acknowledged, "onward_ref": p.onward_ref}
                    for p in packages])
        return DONE
    for p in packages:
        state = f"verstrekt {p.provided_at:%Y-%m-%d %H:%M}" if p.provided_at else "nog niet verstrekt"
        extra = "  doorverstrekt" if p.onward_ref else ""
        print(f"{p.id}  {p.case_key}  {p.region}  {state}  {'bevestigd' if p.acknowledged else 'niet bevestigd'}{extra}")
    if not packages:
        print("Er zijn geen pakketten voor u." if args.user else "no packages")
    return DONE


def cmd_vault_acknowledge(args: argparse.Namespace, app: App) -> int:
    from riec.vault.service import CONFIDENTIALITY_NOTICE_NL, VaultRefusal

    user = _signed_in(args, app)
    try:
        app.vault.acknowledge(user, args.package)
    except VaultRefusal as refusal:
        raise Refused(refusal.message_nl) from None
    print(CONFIDENTIALITY_NOTICE_NL)
    print("U hebt de geheimhoudingsplicht bevestigd; u kunt het pakket nu openen.")
    return DONE


def cmd_vault_open(args: argparse.Namespace, app: App) -> int:
    from riec.vault.service import VaultRefusal

    user = _signed_in(args, app)
    out = Path(args.output)
    if out.exists():
        raise Refused(f"{out} bestaat al; kies een nieuw bestand.")
    try:
        opened = app.vault.open(user, args.package)
    except VaultRefusal as refusal:
        raise Refused(refusal.message_nl) from None
    out.write_bytes(opened.content)
    print(f"Pakket {args.package} ({opened.content_type}) geschreven naar {out}. {opened.notice_nl}")
    return DONE


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    vault = add_group(sub, "vault", "the data vault of provided police data (issue 10)")
    add_command(vault, "serve", cmd_vault_serve, "run the vault's web page in the foreground (RIEC_VAULT_PORT)")
    upload = add_command(vault, "upload", cmd_vault_upload, "upload the provision package of a decided request (police unit)")
    upload.add_argument("case_key", help="the request's case number, e.g. SIG-DEMO-1")
    upload.add_argument("file", help="PDF, .txt, .csv or .json")
    upload.add_argument("--user", required=True, help="your Tasklist login (police unit)")
    upload.add_argument("--password-stdin", action="store_true",
                        help=f"read the password from standard input (else {PASSWORD_VARIABLE} or a prompt)")
    listing = add_command(vault, "list", cmd_vault_list, "the packages the user sees on the vault's page (R-6.1); "
                                                         "without --user every package's reference and state (operator)")
    listing.add_argument("--json", action="store_true")
    add_user_option(listing)
    ack = add_command(vault, "acknowledge", cmd_vault_acknowledge, "confirm the confidentiality duty of art. 7(2) Wpg for a package (R-5.1d)")
    ack.add_argument("package", help="the package reference")
    add_user_option(ack, required=True)
    opening = add_command(vault, "open", cmd_vault_open, "decrypt a package to a file, if every check passes at this moment")
    opening.add_argument("package", help="the package reference")
    opening.add_argument("--output", required=True, help="the file to write (must not exist)")
    add_user_option(opening, required=True)
