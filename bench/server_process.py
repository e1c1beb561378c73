"""An IndieLabel server in a subprocess on 127.0.0.1: started with a given command, environment and log,
waited for until it answers, and stopped or killed. Shared by the benchmarks and the tests over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from bench.report import ROOT

START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 20
HEALTH_PATH = "/api/health"
POLL_SECONDS = 0.02
LOG_TAIL_CHARS = 3000
# Load tests and benchmarks act faster than any person: they serve with the rate limits off.
NO_RATE_LIMITS = {"users_per_address_per_hour": 0, "flags_per_user_per_minute": 0, "saves_per_user_per_minute": 0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def development_command(port: int, dataset_dir: Path) -> list[str]:
    """`python -m indielabel serve` (what `make run` starts) on ``port``."""
    return [sys.executable, "-m", "indielabel", "serve", "--port", str(port), "--dataset",
            str(Path(dataset_dir).resolve())]


def server_environment(state_dir: Path, **settings) -> dict[str, str]:
    """This process's environment with user state under ``state_dir``; ``settings`` become
    INDIELABEL_<NAME> variables (e.g. avid_api_url="http://...") and win over the state directories."""
    return {**os.environ,
            "INDIELABEL_OUTPUT_DIR": str(Path(state_dir) / "output"),
            "INDIELABEL_FLAGGING_DIR": str(Path(state_dir) / "flagged"),
            **{f"INDIELABEL_{name.upper()}": str(value) for name, value in settings.items()}}


class ServerProcess:
    """``command`` started now from the repository root, serving on 127.0.0.1:``port``, its output in
    ``log_path`` (appended to with ``append_log``, e.g. across restarts). As a context manager it stops
    the server on leaving."""

    def __init__(self, command: list[str], port: int, env: dict[str, str], log_path: Path,
                 append_log: bool = False):
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = Path(log_path)
        # The child keeps its own handle on the log, so ours can close at once.
        with open(self.log_path, "ab" if append_log else "wb") as log:
            self.started = time.perf_counter()
            # A session of its own: a kill reaches gunicorn's workers too, which do the writes.
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exception) -> None:
        self.stop()

    def wait_for(self, path: str, timeout: float = START_TIMEOUT_SECONDS) -> float:
        """Seconds from the start until ``path`` answers 200; RuntimeError with the log's tail if the
        process exits or ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{self.log_tail()}")
            try:
                if requests.get(self.url + path, timeout=max(0.1, deadline - time.monotonic())).status_code == 200:
                    return time.perf_counter() - self.started
            except requests.RequestException:
                pass
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"{path} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def wait_until_healthy(self, timeout: float = START_TIMEOUT_SECONDS) -> float:
        """Seconds from the start until the health check answers (see ``wait_for``)."""
        return self.wait_for(HEALTH_PATH, timeout)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if the server has not exited within STOP_TIMEOUT_SECONDS."""
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL to the server and its worker processes at once: no handler runs, no buffer is flushed,
        as in a power cut."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # gone already
        self.process.wait()

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-LOG_TAIL_CHARS:]
