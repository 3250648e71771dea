"""The vault's web page (Dutch): sign in with the Tasklist account, upload, acknowledge, open.

Flask on waitress: a small, synchronous, well-kept framework that fits a
synchronous code base (SQLAlchemy Core, requests) and a pure-Python production
server without extra system packages. The session is Flask's signed cookie
(HttpOnly, SameSite=Lax), holding the user id only; groups and regions are read
from the engine at every request, so a change in Camunda Admin counts at once.

Every POST answers JSON when asked (``Accept: application/json``): that is what
``riec vault upload`` uses. Rules: R-1, R-4.1, R-5.1b, R-5.1c, R-5.1d, R-6.1, R-6.2.

Cross-site request forgery: beside the ``SameSite=Lax`` cookie, every POST a browser
sends must come from the page's own origin and carry the session's form token
(``csrf_token``, a hidden field of every form, or the ``X-CSRF-Token`` header); a
browser always sends ``Origin`` with a POST, a cross-site one cannot read the token.
A POST without ``Origin`` is not a browser's (``riec vault upload``, scripts): it has
no ambient cookie to abuse and signs in itself, so no token is asked of it.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import Flask, Response, flash, get_flashed_messages, jsonify, redirect, render_template_string, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from riec.compliance.models import DataCategory
from riec.compliance.rules import CATEGORY_NL
from riec.runtime.engine import EngineError
from riec.dutch_time import AMSTERDAM
from riec.vault.service import CONFIDENTIALITY_NOTICE_NL, POLICE_UNIT, Vault, VaultRefusal, VaultUser

log = logging.getLogger(__name__)
#: The page's POST endpoints a forged cross-site form could aim at (riec.stats_web's endpoint is a GET).
PROTECTED = frozenset({"login", "logout", "upload", "acknowledge"})

PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Datakluis · RIEC casusanalyse</title>
<style>
 body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}
 h1{font-size:1.5rem} .msg{padding:.6rem 1rem;margin:.5rem 0;border-radius:4px}
 .ok{background:#e6f4ea;border:1px solid #6c6} .fout{background:#fdecea;border:1px solid #d66}
 table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ccc;padding:.4rem;text-align:left}
 .notice{background:#fff8e1;border:1px solid #e0b000;padding:.6rem 1rem} form.inline{display:inline}
 label{display:block;margin:.4rem 0 .1rem} small{color:#555}
</style></head><body>
<h1>Datakluis politiegegevens</h1>
{% for kind, text in messages %}<div class="msg {{ kind }}" id="melding-{{ loop.index }}" role="status">{{ text }}</div>{% endfor %}
{% if not user %}
<p>Log in met uw account van Camunda Tasklist.</p>
<form method="post" action="{{ url_for('login') }}" id="inloggen">
 <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
 <label for="username">Gebruikersnaam</label><input id="username" name="username" autocomplete="username" required>
 <label for="password">Wachtwoord</label><input id="password" name="password" type="password" autocomplete="current-password" required>
 <p><button type="submit" id="inloggen-knop">Inloggen</button></p>
</form>
{% else %}
<p>Ingelogd als <strong id="gebruiker">{{ user.id }}</strong>{% if user.region %} (regio {{ user.region }}){% endif %}.
 <form class="inline" method="post" action="{{ url_for('logout') }}"><input type="hidden" name="csrf_token" value="{{ csrf_token }}"><button type="submit" id="uitloggen">Uitloggen</button></form></p>
{% if police %}
<h2>Verstrekkingspakket uploaden</h2>
<p>Verzoeken van uw regio waarover is besloten dat wordt verstrekt en die op hun pakket wachten.
 Het pakket wordt versleuteld opgeslagen; de procedure gaat verder zodra het is geüpload.</p>
<form method="post" action="{{ url_for('upload') }}" enctype="multipart/form-data" id="uploaden">
 <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
 <label for="case_key">Verzoek (casusnummer)</label>
 <select id="case_key" name="case_key">{% for key in awaiting %}<option value="{{ key }}">{{ key }}</option>{% else %}<option value="">(geen verzoek wacht op een pakket)</option>{% endfor %}</select>
 <label for="bestand">Bestand</label><input id="bestand" type="file" name="file">
 <small>PDF, tekst (.txt), CSV of JSON; hoogstens {{ max_kb }} kB.</small>
 <p><button type="submit" id="uploaden-knop">Uploaden</button></p>
</form>
{% endif %}
<h2>Verstrekte pakketten</h2>
{% if packages %}
<table id="pakketten"><tr><th>Casus</th><th>Soort gegevens</th><th>Verstrekt</th><th></th></tr>
{% for p in packages %}<tr id="pakket-{{ p.id }}"><td>{{ p.case_key }}{% if p.onward_ref %} <small class="doorverstrekt">(doorverstrekt aan uw organisatie)</small>{% endif %}</td><td>{{ p.data_categories|map('soort')|join('; ') or '-' }}</td>
 <td>{{ p.provided_at|amsterdam if p.provided_at else 'nog niet verstrekt' }}</td>
 <td>{% if p.provided_at %}
  {% if not p.acknowledged %}
   <div class="notice">{{ notice }}</div>
   <form class="inline" method="post" action="{{ url_for('acknowledge', package_id=p.id) }}"><input type="hidden" name="csrf_token" value="{{ csrf_token }}"><button type="submit" class="bevestigen">Ik bevestig de geheimhoudingsplicht</button></form>
  {% endif %}
  <a class="openen" href="{{ url_for('open_package', package_id=p.id) }}">Openen</a>
 {% endif %}</td></tr>{% endfor %}
</table>
{% else %}<p id="geen-pakketten">Er zijn geen pakketten voor u.</p>{% endif %}
{% endif %}
</body></html>
"""


def create_app(vault: Vault, identity: Any, *, secret_key: str | None = None, max_bytes: int | None = None) -> Flask:
    """The web app; ``identity`` verifies passwords and reads groups and regions (riec.vault.engine.EngineIdentity)."""
    app = Flask("riec.vault")
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_NAME="riec_kluis",
        # A little room for the multipart envelope; the vault itself checks the file's size exactly.
        MAX_CONTENT_LENGTH=(max_bytes or vault.max_bytes) + 64 * 1024,
    )
    max_kb = vault.max_bytes // 1024
    # What the officer reads: the data type's Dutch name, times in Dutch local time.
    app.jinja_env.filters["soort"] = lambda c: CATEGORY_NL.get(DataCategory(c), c) if c in DataCategory._value2member_map_ else c
    app.jinja_env.filters["amsterdam"] = lambda t: (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")

    def wants_json() -> bool:
        return request.accept_mimetypes.best == "application/json"

    def csrf_token() -> str:
        """The session's form token, made on first use (a new one after signing in or out)."""
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(32)
        return str(session["csrf"])

    @app.before_request
    def refuse_forged_posts() -> ResponseReturnValue | None:
        if request.method != "POST" or request.endpoint not in PROTECTED:
            return None
        origin = request.headers.get("Origin")
        if origin is None:
            return None  # not a browser: no ambient session to abuse (module docstring)
        sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
        # The host only: behind a TLS-terminating proxy the scheme the page sees may differ from the browser's.
        if urlsplit(origin).netloc != request.host or not session.get("csrf") or not secrets.compare_digest(sent, str(session["csrf"])):
            log.warning("vault: POST refused (origin or form token does not match)")
            return answer(False, "Het formulier is verlopen of komt niet van deze pagina. Laad de pagina opnieuw en probeer het nog eens.", 403)
        return None

    def current() -> VaultUser | None:
        user_id = session.get("user")
        return identity.user(user_id) if user_id else None

    def answer(ok: bool, message: str, status: int, **extra: Any) -> ResponseReturnValue:
        if wants_json():
            response = jsonify({"ok": ok, "message": message, **extra})
            response.status_code = status
            return response
        flash(message, "ok" if ok else "fout")
        return redirect(url_for("index"), 303)

    def signed_in(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
        def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            user = current()
            if user is None:
                return answer(False, "U bent niet ingelogd.", 401)
            return view(user, *args, **kwargs)
        wrapper.__name__ = view.__name__
        return wrapper

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: Exception) -> ResponseReturnValue:
        return answer(False, f"Het bestand is te groot; het maximum is {max_kb} kB.", 413)

    @app.errorhandler(EngineError)
    def engine_down(_exc: Exception) -> ResponseReturnValue:
        log.warning("engine refused or unreachable for the vault")
        return answer(False, "De procesengine is niet bereikbaar; probeer het later opnieuw.", 503)

    @app.get("/")
    def index() -> str:
        user = current()
        police = bool(user and POLICE_UNIT in user.groups)
        messages = get_flashed_messages(with_categories=True)
        return render_template_string(
            PAGE, user=user, police=police, messages=messages, notice=CONFIDENTIALITY_NOTICE_NL, max_kb=max_kb, csrf_token=csrf_token(),
            awaiting=vault.awaiting(user) if police and user else [], packages=vault.packages(user) if user else [])

    @app.post("/inloggen")
    def login() -> ResponseReturnValue:
        user = identity.verify(request.form.get("username", "").strip(), request.form.get("password", ""))
        if user is None:
            return answer(False, "Gebruikersnaam of wachtwoord onjuist.", 401)
        session.clear()
        session["user"] = user.id
        return answer(True, f"Welkom, {user.id}.", 200)

    @app.post("/uitloggen")
    def logout() -> ResponseReturnValue:
        session.clear()
        return answer(True, "U bent uitgelogd.", 200)

    @app.post("/upload")
    @signed_in
    def upload(user: VaultUser) -> ResponseReturnValue:
        file = request.files.get("file")
        data = file.read() if file else b""
        try:
            package = vault.upload(user, request.form.get("case_key", ""), (file.filename or "") if file else "", data)
        except VaultRefusal as refusal:
            return answer(False, refusal.message_nl, refusal.status)
        case_key = request.form.get("case_key", "").strip()
        return answer(True, f"Het verstrekkingspakket voor verzoek {case_key} is versleuteld opgeslagen; de verstrekking gaat verder.",
                      201, package=package)

    @app.post("/pakket/<package_id>/bevestigen")
    @signed_in
    def acknowledge(user: VaultUser, package_id: str) -> ResponseReturnValue:
        try:
            vault.acknowledge(user, package_id)
        except VaultRefusal as refusal:
            return answer(False, refusal.message_nl, refusal.status)
        return answer(True, "U hebt de geheimhoudingsplicht bevestigd; u kunt het pakket nu openen.", 200)

    @app.get("/pakket/<package_id>")
    def open_package(package_id: str) -> ResponseReturnValue:
        user = current()
        if user is None:
            return answer(False, "U bent niet ingelogd.", 401)
        try:
            opened = vault.open(user, package_id)
        except VaultRefusal as refusal:
            return answer(False, refusal.message_nl, refusal.status)
        safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in opened.filename) or "pakket"
        return Response(opened.content, mimetype=opened.content_type, headers={
            "Content-Disposition": f'attachment; filename="{safe_name}"', "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff", "X-Geheimhouding": "art. 7, tweede lid, Wpg"})

    @app.get("/health")
    def health() -> Response:
        return jsonify({"status": "UP"})

    @app.after_request
    def no_store(response: Response) -> Response:
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app
