"""The app served as `make serve` serves it (gunicorn, production entry point) on 127.0.0.1, started and
stopped by a benchmark, and its workers' memory."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.report import ROOT

WORKERS = 2  # one per core
THREADS = 4
ENTRY_POINT = "indielabel.production:create_production_app()"
STOP_TIMEOUT_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    started: float  # time.perf_counter() just before the process was started
    log_path: Path

    def wait_for(self, path: str, timeout: float) -> float:
        """Seconds from the start until ``path`` answers 200; RuntimeError (with the log) otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + path, timeout=max(0.1, deadline - time.monotonic())).status_code == 200:
                    return time.perf_counter() - self.started
            except requests.RequestException:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{path} did not answer within {timeout:.0f} s:\n{self.log_path.read_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes: the children of its master."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                # The command name in parentheses may hold spaces; the parent id is the 2nd field after it.
                after_name = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(after_name[1]) == self.process.pid:
                children.append(int(entry.name))
        return sorted(children)

    def worker_memory(self) -> dict[int, dict[str, float]]:
        """Per worker: resident memory now (VmRSS) and its peak (VmHWM), in MB."""
        memory = {}
        for pid in self.worker_pids():
            fields = status_fields(pid)
            if "VmRSS" in fields:
                memory[pid] = {"rss_mb": fields["VmRSS"] / 1024, "peak_mb": fields.get("VmHWM", 0) / 1024}
        return memory


def status_fields(pid: int) -> dict[str, int]:
    """The kB figures of /proc/<pid>/status."""
    fields = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            parts = value.split()
            if len(parts) == 2 and parts[1] == "kB":
                fields[name] = int(parts[0])
    except OSError:
        pass
    return fields


@contextmanager
def gunicorn_server(dataset_dir: Path, state_dir: Path, log_path: Path, workers: int = WORKERS,
                    threads: int = THREADS):
    """gunicorn serving ``dataset_dir`` on a free 127.0.0.1 port, user state under ``state_dir``, its
    output in ``log_path``.

    The command line is `make serve`'s, with the port, the workers and the threads given here.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ,
           "INDIELABEL_DATASET": str(Path(dataset_dir).resolve()),
           "INDIELABEL_OUTPUT_DIR": str(state_dir / "output"),
           "INDIELABEL_FLAGGING_DIR": str(state_dir / "flagged"),
           "INDIELABEL_SECRET_KEY": secrets.token_hex(32)}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--preload", "--access-logfile", "-", "--no-control-socket",
               ENTRY_POINT]
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield Server(f"http://127.0.0.1:{port}", process, started, log_path)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
