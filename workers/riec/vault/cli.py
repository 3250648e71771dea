"""``riec vault serve`` (the page, in the foreground) and ``riec vault upload`` (the police unit's upload from a shell).

The upload goes through the page's own address (``RIEC_VAULT_URL``) with the
officer's Tasklist login, so the command line passes the same checks and leaves
the same register entry as the browser.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from riec.cli_support import DONE, FAILED, Refused, add_command, add_group

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
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(f"Wachtwoord van {args.user}: ")
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


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    vault = add_group(sub, "vault", "the data vault of provided police data (issue 10)")
    add_command(vault, "serve", cmd_vault_serve, "run the vault's web page in the foreground (RIEC_VAULT_PORT)")
    upload = add_command(vault, "upload", cmd_vault_upload, "upload the provision package of a decided request (police unit)")
    upload.add_argument("case_key", help="the request's case number, e.g. SIG-DEMO-1")
    upload.add_argument("file", help="PDF, .txt, .csv or .json")
    upload.add_argument("--user", required=True, help="your Tasklist login (police unit)")
    upload.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
