"""The Flask app: HTTP in, calls into the audit service, JSON out. Nothing else lives here.

Each group of routes lives in its own module of ``indielabel.web``; this file only assembles them.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, Response, jsonify, request, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import PathConverter

from indielabel import __version__
from indielabel.audit.service import AuditService
from indielabel.config import Settings, load_settings
from indielabel.flagging import setup as flagging
from indielabel.storage.rate_limits import Limit, RateLimits
from indielabel.storage.store import Store
from indielabel.web import (audit_routes, error_handlers, flag_routes, labeling_routes, openapi, organizer_routes,
                            ownership, probe_routes, profile_routes, report_routes, user_routes)
from indielabel.web.request_handling import LIMITS, OWNERS, error_response, open_study_link
from indielabel.web.security_headers import add_security_headers

PUBLIC_DIR = Path(__file__).parent / "indie_label_svelte" / "public"


class StaticFileConverter(PathConverter):
    """Only paths that end in a file extension: a GET on a write route must answer 405, not 404."""

    regex = r"[^/].*?\.[A-Za-z0-9]+"


def create_app(config: Settings | dict | None = None, service: AuditService | None = None) -> Flask:
    """Build the app from settings (or overrides of the environment's settings).

    ``service`` is the audit service when the caller has already loaded the data; otherwise it is
    loaded from the settings on first use.
    """
    settings = config if isinstance(config, Settings) else load_settings(config)
    app = Flask(__name__, static_folder=None)
    app.url_map.converters["static_file"] = StaticFileConverter
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    if settings.trusted_proxies:
        # The rate limits count by client address; behind a proxy only X-Forwarded-For knows it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    app.secret_key = ownership.app_secret_key(settings)
    app.extensions[LIMITS] = rate_limits_of(settings)
    app.extensions[OWNERS] = ownership.Owners(Store(settings.user_output_dir), app.secret_key, app.extensions[LIMITS])
    flags = flagging.configure_flagging(settings)
    service_holder: dict[str, AuditService] = {} if service is None else {"service": service}
    service_lock = threading.Lock()

    def audit_service() -> AuditService:
        # Loaded on first use so the health check and static files answer while data loads.
        with service_lock:
            if "service" not in service_holder:
                service_holder["service"] = AuditService.from_settings(settings)
            return service_holder["service"]

    error_handlers.register(app)
    labeling_routes.register(app, audit_service, flags)
    audit_routes.register(app, audit_service)
    report_routes.register(app, audit_service)
    flag_routes.register(app, audit_service, flags)
    flag_routes.register_admin(app, settings)
    probe_routes.register(app, audit_service, flags)
    profile_routes.register(app, audit_service)
    organizer_routes.register(app, audit_service, settings, _static)
    user_routes.register(app, audit_service)

    @app.after_request
    def security_headers(response: Response) -> Response:
        # Hashed front-end files may be cached; every other answer may be about someone's data.
        add_security_headers(response.headers, private=request.endpoint != "static_file")
        return response

    @app.get("/api/health")
    def health():
        return jsonify(status="ok", version=__version__, dataset=settings.dataset)

    @app.get("/openapi.json")
    def openapi_document():
        return jsonify(openapi.document(openapi.ROUTES, __version__))

    @app.get("/")
    def index():
        if "key" in request.args:
            return open_study_link()
        return _static("index.html")

    @app.get("/<static_file:path>")
    def static_file(path: str):
        return _static(path)

    return app


def rate_limits_of(settings: Settings) -> RateLimits:
    """The configured limits, counted in a file beside the user data that every worker process shares."""
    return RateLimits(settings.user_output_dir, {
        ownership.NEW_USERS_LIMIT: Limit(settings.users_per_address_per_hour, 3600),
        flag_routes.FLAGS_LIMIT: Limit(settings.flags_per_user_per_minute, 60),
        report_routes.SAVES_LIMIT: Limit(settings.saves_per_user_per_minute, 60),
    })


def _static(path: str):
    if not (PUBLIC_DIR / "index.html").is_file():
        return error_response(503, "no_front_end", "the front end is not built; run `make frontend`")
    return send_from_directory(PUBLIC_DIR, path)
