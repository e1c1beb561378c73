"""The Flask app: HTTP in, calls into the audit service, JSON out. Nothing else lives here.

Each group of routes lives in its own module of ``indielabel.web``; this file only assembles them.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, Response, jsonify, request, send_from_directory
from werkzeug.routing import PathConverter

from indielabel import __version__
from indielabel.audit.service import AuditService
from indielabel.config import Settings, load_settings
from indielabel.flagging import setup as flagging
from indielabel.storage.store import Store
from indielabel.web import (audit_routes, error_handlers, flag_routes, labeling_routes, openapi, ownership,
                            report_routes, user_routes)
from indielabel.web.request_handling import OWNERS, error_response, open_study_link
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
    app.secret_key = ownership.app_secret_key(settings)
    app.extensions[OWNERS] = ownership.Owners(Store(settings.user_output_dir), app.secret_key)
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


def _static(path: str):
    if not (PUBLIC_DIR / "index.html").is_file():
        return error_response(503, "no_front_end", "the front end is not built; run `make frontend`")
    return send_from_directory(PUBLIC_DIR, path)
