"""``GET /statistieken``: the managers' figures (riec.stats) as JSON, on the project's web service (the vault's).

Who may ask: a member of ``manager``, ``privacy-officer`` or ``camunda-admin``, recognised in one of two ways,
both through the engine's own identity (the web service keeps no accounts):

1. the web service's own session (signed in on the vault page with the Tasklist account), or
2. the Cockpit session the manager already has: the browser sends the engine's session cookie
   (``JSESSIONID``) along, because cookies belong to a host, not to a port, and the dashboard's request
   is credentialed. This module asks the engine who that session is
   (``GET /camunda/api/admin/auth/user/default`` with that cookie) and forgets the cookie afterwards.

Why not the other ways the brief weighed: a proxy through the engine would put code in the engine
module (no business logic in Java); a static file cannot answer per region. So the Cockpit plugin
(``riec-dashboard.js``) fetches this endpoint cross-origin with credentials, and this endpoint answers
CORS for the Cockpit origin only (the engine's, from ``RIEC_ENGINE_URL``, and its loopback twin). The
engine and this service must therefore share a host name (a reverse proxy in production does that too).

What it answers (R-6.1): the user's own region (their one tenant) and the national aggregate; a user of no
region (the administrator) only the latter. Never another region on its own. Counts and durations only (R-5.2).
"""
from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from flask import Flask, Response, jsonify, request, session

from riec.stats import Stats

log = logging.getLogger(__name__)

#: Groups whose members see the figures: managers watch throughput, the privacy officer the audit (docs/security.md).
READERS = frozenset({"manager", "privacy-officer", "camunda-admin"})
ENGINE_SESSION_COOKIES = ("JSESSIONID",)


class Identity(Protocol):
    def user(self, user_id: str) -> Any:
        """An object with ``id``, ``groups`` and ``tenants`` (riec.vault.engine.EngineIdentity)."""


def cockpit_origins(engine_url: str) -> frozenset[str]:
    parts = urlsplit(engine_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    twins = {origin}
    for a, b in (("localhost", "127.0.0.1"), ("127.0.0.1", "localhost")):
        if parts.hostname == a:
            twins.add(origin.replace(a, b, 1))
    return frozenset(twins)


def engine_session_user(engine_url: str, cookies: dict[str, str], timeout: float = 10) -> str | None:
    """The user of an engine webapp session, asked of the engine itself; None when it has none."""
    jar = {k: v for k, v in cookies.items() if k in ENGINE_SESSION_COOKIES}
    if not jar:
        return None
    root = engine_url.rstrip("/").removesuffix("/engine-rest")
    try:
        answer = requests.get(f"{root}/camunda/api/admin/auth/user/default", cookies=jar, timeout=timeout,
                              headers={"Accept": "application/json"})
    except requests.RequestException:
        log.warning("engine unreachable while checking a Cockpit session")
        return None
    if answer.status_code != 200:
        return None
    body = answer.json()
    if "cockpit" not in (body.get("authorizedApps") or []):
        return None
    user_id = body.get("userId")
    return str(user_id) if user_id else None


def mount(web: Flask, stats: Stats, identity: Identity, *, engine_url: str, path: str = "/statistieken") -> None:
    """Add the endpoint to ``web`` (the vault's Flask app, riec.vault.web.create_app)."""
    origins = cockpit_origins(engine_url)

    def cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    def refuse(status: int, message: str) -> Response:
        response = jsonify({"ok": False, "message": message})
        response.status_code = status
        return cors(response)

    def statistieken() -> Response:
        user_id = session.get("user") or engine_session_user(engine_url, dict(request.cookies))
        if not user_id:
            return refuse(401, "U bent niet ingelogd in Cockpit.")
        user = identity.user(user_id)
        if not (set(user.groups) & READERS):
            return refuse(403, "Deze cijfers zijn alleen voor managers en de privacyfunctionaris.")
        tenants = sorted(user.tenants)
        region = tenants[0] if len(tenants) == 1 else None  # one's own region, or only the national view
        view = stats.view(region, fresh=request.args.get("vernieuwen") == "1")
        return cors(jsonify(view))

    web.add_url_rule(path, "statistieken", statistieken, methods=["GET"])
