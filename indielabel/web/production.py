"""Serving in production (`make serve`): gunicorn's entry point, with the start-up checks a public
deployment needs.

gunicorn loads ``create_production_app()`` once, in its master process (``--preload``), before it
starts the workers; a missing secret key or dataset stops it there with a clear message and a
non-zero exit, instead of workers failing one after another. The dataset and base model loaded
there are inherited by the workers (read-only arrays, shared copy-on-write); the Flask app itself is
built in each worker process, after the fork: file locks (the flag log's) and open files must not be
shared.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

from indielabel.config import ConfigError, Settings, load_settings
from indielabel.data.dataset import DatasetError

if TYPE_CHECKING:
    from flask import Flask

    from indielabel.audit.service import AuditService

EXIT_BAD_SETTINGS = 2
HOW_TO_MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def require_production_settings(settings: Settings) -> None:
    """What production needs beyond development; raises ConfigError naming what is missing."""
    if not settings.secret_key:
        raise ConfigError("production needs INDIELABEL_SECRET_KEY, the key that signs the cookies by which "
                          f"auditors own their data (at least 32 characters; make one with: {HOW_TO_MAKE_A_KEY}), "
                          "the same for every worker and every restart")


class AppPerProcess:
    """A WSGI app holding one Flask app per process (debug off): built here, so that bad settings stop
    the start, and built again on the first request in any other process, such as a forked worker."""

    def __init__(self, settings: Settings, service: AuditService):
        self.settings = settings
        self.service = service
        self._lock = threading.Lock()
        self._app, self._built_in_process = self._build(), os.getpid()

    def __call__(self, environ, start_response):
        return self._flask_app()(environ, start_response)

    def _flask_app(self) -> Flask:
        with self._lock:
            if self._built_in_process != os.getpid():
                self._app, self._built_in_process = self._build(), os.getpid()
            return self._app

    def _build(self) -> Flask:
        from server import create_app

        app = create_app(self.settings, service=self.service)
        app.debug = False
        return app


def create_production_app() -> AppPerProcess:
    """The app for gunicorn: settings from the environment, checked, and the dataset ready."""
    from indielabel.prepare import ensure_ready

    try:
        settings = load_settings()
        require_production_settings(settings)
        return AppPerProcess(settings, ensure_ready(settings))
    except (ConfigError, DatasetError) as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_BAD_SETTINGS) from None
