"""A real IndieLabel server in a subprocess on 127.0.0.1, for tests that speak HTTP to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def live_server(dataset_dir: Path, state_dir: Path, **settings: str):
    """Serve ``dataset_dir`` with user state under ``state_dir``; yields the base URL.

    ``settings`` become INDIELABEL_<NAME> environment variables (e.g. avid_api_url="http://...").
    """
    port = free_port()
    env = {**os.environ, "INDIELABEL_OUTPUT_DIR": str(state_dir / "output"),
           "INDIELABEL_FLAGGING_DIR": str(state_dir / "flagged")}
    env.update({f"INDIELABEL_{name.upper()}": str(value) for name, value in settings.items()})
    log = open(state_dir / "server.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "indielabel", "serve", "--port", str(port), "--dataset", str(dataset_dir)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, state_dir / "server.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()[-3000:]}")
        try:
            if requests.get(f"{url}/api/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer within {START_TIMEOUT_SECONDS}s:\n{log_path.read_text()[-3000:]}")
