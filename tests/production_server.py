"""The app as `make serve` runs it (gunicorn, several worker processes) on 127.0.0.1, for tests over HTTP."""

from __future__ import annotations

import shlex
import subprocess
from contextlib import contextmanager
from pathlib import Path

from bench.server_process import ROOT, ServerProcess, free_port, server_environment

SECRET_KEY = "test-secret-key-" + "0123456789abcdef" * 2


def serve_command(port: int) -> list[str]:
    """The gunicorn command line of `make serve`, as make would run it on ``port``."""
    plan = subprocess.run(["make", "--no-print-directory", "-n", "serve", f"SERVE_PORT={port}"], cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout
    lines = plan.replace("\\\n", " ").splitlines()
    return shlex.split(next(line for line in lines if "gunicorn" in line))


@contextmanager
def production_server(dataset_dir: Path, state_dir: Path, **settings: str):
    """Serve ``dataset_dir`` the way `make serve` does, with user state under ``state_dir``; yields the URL.

    ``settings`` become INDIELABEL_<NAME> environment variables; the secret key is set unless given.
    """
    port = free_port()
    env = server_environment(state_dir, **{"dataset": dataset_dir, "secret_key": SECRET_KEY, **settings})
    with ServerProcess(serve_command(port), port, env, state_dir / "gunicorn.log") as server:
        server.wait_until_healthy()
        yield server.url
