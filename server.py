"""The Flask app: HTTP in, calls into audit_utils and indielabel, JSON out."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from indielabel import __version__
from indielabel.config import Settings, load_settings

PUBLIC_DIR = Path(__file__).parent / "indie_label_svelte" / "public"


def create_app(config: Settings | dict | None = None) -> Flask:
    """Build the app from settings (or overrides of the environment's settings)."""
    settings = config if isinstance(config, Settings) else load_settings(config)
    app = Flask(__name__, static_folder=None)
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes

    @app.get("/api/health")
    def health():
        return jsonify(status="ok", version=__version__, dataset=settings.dataset)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        body = {"error": {"code": error.name.lower().replace(" ", "_"), "message": error.description,
                          "field": None}}
        return jsonify(body), error.code

    return app
