"""Which region ``riec stats`` shows (R-6.1): the operator any (``--region``), a named user only their own.

Kept apart from riec.stats (the figures) so the region boundary lives in one small place.
``riec stats --user NAME`` signs the user in (riec.requester) and answers as ``GET /statistieken``
does (riec.stats_web): members of ``manager`` and ``privacy-officer`` get their one region beside the
national aggregate, never another region on its own; an administrator is the operator.
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from riec.cli_support import Refused
from riec.requester import requester
from riec.stats_web import READERS

if TYPE_CHECKING:
    from riec.app import App


def scoped_region(args: argparse.Namespace, app: App) -> str | None:
    """The region whose figures are shown beside the national aggregate (None: the aggregate only)."""
    asker = requester(args, app)
    if asker.all_regions:
        return args.region
    asker.require(READERS, "de managementcijfers")
    assert asker.user is not None
    own = asker.user.region
    if args.region is not None and args.region != own:
        raise Refused("U ziet alleen de cijfers van uw eigen regio naast het landelijke totaal (R-6.1).")
    return own
