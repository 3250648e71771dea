"""The data vault (issue 10): provided police data, encrypted per package, outside the engine.

``service`` decides and stores (rules from riec.compliance), ``engine`` talks to
Camunda with the vault's own login, ``web`` is the Dutch page, ``tables`` the schema.
``serve`` runs the page on waitress (``riec vault serve``; started by ``riec up``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from riec.app import App


def serve(app: App) -> None:
    """Run the vault's web page in the foreground on ``RIEC_VAULT_PORT``."""
    from waitress import serve as waitress_serve  # type: ignore[import-untyped]

    from riec.vault.engine import EngineIdentity
    from riec.vault.web import create_app

    settings = app.settings
    web = create_app(app.vault, EngineIdentity(app.camunda), secret_key=settings.vault_secret or None)
    from riec.stats import Stats  # the managers' figures for the Cockpit dashboard (issue 14, riec.stats_web)
    from riec.stats_web import mount

    mount(web, Stats(app.camunda, app.migrated_database(), terms=app.retention), EngineIdentity(app.camunda),
          engine_url=settings.engine_url)
    waitress_serve(web, host=settings.vault_host, port=settings.vault_port, threads=4, ident="riec-vault")
