"""Who asks a ``riec`` command: the operator, or a named engine user (R-6.1, issue 12).

Without ``--user`` a command is the operator's, as it always was: every region (the
operator runs ``riec`` on the host with the registers' database; docs/security.md).
With ``--user NAME`` the password comes from ``RIEC_USER_PASSWORD`` or a prompt and is
checked against the engine's identity service, exactly as the vault's sign-in does
(``POST /identity/verify``, riec.vault.engine.EngineIdentity); the user's groups and
tenants (regions) are read from the engine at that moment. From then on the command
shows and opens only what the engine would show that user: their own region's data,
and only what their role may see (``Requester.require``). A member of ``camunda-admin``
is exempt from the region boundary, as in the engine.

Refusals are in Dutch (the user is an officer) and exit 2 (riec.cli_support.Refused).
Another region's item by its id is answered as if it did not exist: the user learns
nothing of another region, not even that the item is there.
"""
from __future__ import annotations

import argparse
import getpass
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from riec.cli_support import Refused
from riec.vault.service import VaultUser

if TYPE_CHECKING:
    from riec.app import App

ADMIN_GROUP = "camunda-admin"
PASSWORD_VARIABLE = "RIEC_USER_PASSWORD"


@dataclass(frozen=True)
class Requester:
    """The operator (``user`` None) or a signed-in engine user."""

    user: VaultUser | None = None

    @property
    def all_regions(self) -> bool:
        """The operator and the engine's administrators see every region (the engine exempts camunda-admin)."""
        return self.user is None or ADMIN_GROUP in self.user.groups

    @property
    def name(self) -> str:
        return self.user.id if self.user else "operator"

    def sees(self, *regions: str | None) -> bool:
        """R-6.1: an item of these regions (its region, and for an onward provision its receiving region) is
        visible when one of them is one of the user's regions. An item of no region only to the operator."""
        if self.all_regions:
            return True
        assert self.user is not None
        return any(r is not None and r in self.user.tenants for r in regions)

    def require(self, groups: Iterable[str], what_nl: str) -> None:
        """Refuse (exit 2) a user none of whose groups may see ``what_nl``; the operator and administrators pass."""
        if self.all_regions:
            return
        assert self.user is not None
        if not self.user.groups & set(groups):
            raise Refused(f"Uw rol geeft geen toegang tot {what_nl}.")


def add_user_option(parser: argparse.ArgumentParser, *, required: bool = False) -> argparse.ArgumentParser:
    parser.add_argument("--user", default=None, metavar="NAME", required=required,
                        help=f"run as this engine (Tasklist) user: only their region and what their role may see (R-6.1); "
                             f"password from {PASSWORD_VARIABLE} or a prompt. Without it: the operator, every region")
    return parser


def requester(args: argparse.Namespace, app: App) -> Requester:
    """The operator when no ``--user`` is given; else that user, signed in against the engine's identity service."""
    name = (getattr(args, "user", None) or "").strip()
    if not name:
        return Requester()
    password = app.environ.get(PASSWORD_VARIABLE) or getpass.getpass(f"Wachtwoord van {name}: ")
    from riec.vault.engine import EngineIdentity

    user = EngineIdentity(app.camunda).verify(name, password)
    if user is None:
        raise Refused("Gebruikersnaam of wachtwoord onjuist.")
    return Requester(user)
