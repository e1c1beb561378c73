"""The app as `make serve` runs it (gunicorn, several worker processes) on 127.0.0.1, for tests over HTTP."""

from __future__ import annotations

import os
import shlex
import subprocess
from contextlib import contextmanager
from pathlib import Path

from tests.live_server import ROOT, _wait_until_healthy, free_port

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
    env = {**os.environ, "INDIELABEL_DATASET": str(dataset_dir), "INDIELABEL_SECRET_KEY": SECRET_KEY,
           "INDIELABEL_OUTPUT_DIR": str(state_dir / "output"), "INDIELABEL_FLAGGING_DIR": str(state_dir / "flagged")}
    env.update({f"INDIELABEL_{name.upper()}": str(value) for name, value in settings.items()})
    log_path = state_dir / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(serve_command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, process, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
