"""Serving with gunicorn: `make serve`'s entry point, with the start-up checks a public deployment
needs, and the single-process server of `make run` (``serve_in_this_process``).

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

from indielabel.config import ConfigError, Settings, keep_written_files_private, load_settings
from indielabel.data.dataset import DatasetError

from gunicorn.app.base import BaseApplication

if TYPE_CHECKING:
    from flask import Flask

    from indielabel.audit.service import AuditService

EXIT_BAD_SETTINGS = 2
# `make serve` and `make run` both name it: requests are read whole before a thread takes them.
WORKER_CLASS = "indielabel.web.buffered_worker.BufferedThreadWorker"
THREADS_IN_ONE_PROCESS = 4
# The access log names the path without its query: a study link's one-time key must not be kept there.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
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

    keep_written_files_private()
    try:
        settings = load_settings()
        require_production_settings(settings)
        return AppPerProcess(settings, ensure_ready(settings))
    except (ConfigError, DatasetError) as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_BAD_SETTINGS) from None


class _OneProcess(BaseApplication):
    """gunicorn serving an app built already, in one worker process, as `make run` does."""

    def __init__(self, app, options: dict):
        self.app, self.options = app, options
        super().__init__()

    def load_config(self):
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        return self.app


def serve_in_this_process(app, host: str, port: int) -> None:
    """Serve ``app`` on host:port with the worker of `make serve`, one process, until interrupted."""
    _OneProcess(app, {"bind": f"{host}:{port}", "workers": 1, "threads": THREADS_IN_ONE_PROCESS,
                      "worker_class": WORKER_CLASS, "accesslog": "-", "access_log_format": ACCESS_LOG_FORMAT,
                      "control_socket_disable": True}).run()
