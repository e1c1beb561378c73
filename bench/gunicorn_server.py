"""The app served as `make serve` serves it (gunicorn, production entry point) on 127.0.0.1, started and
stopped by a benchmark, and its workers' memory."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from bench.server_process import NO_RATE_LIMITS, ServerProcess, free_port, server_environment
from indielabel.web.production import WORKER_CLASS

WORKERS = 2  # one per core
THREADS = 4
ENTRY_POINT = "indielabel.web.production:create_production_app()"


class GunicornServer(ServerProcess):
    """A gunicorn master process, whose workers' memory a benchmark can read."""

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
        """Per worker: resident memory now (VmRSS), its peak (VmHWM) and its proportional set size
        (PSS: each shared page divided among the processes that map it), in MB."""
        memory = {}
        for pid in self.worker_pids():
            fields = status_fields(pid)
            if "VmRSS" in fields:
                memory[pid] = {"rss_mb": fields["VmRSS"] / 1024, "peak_mb": fields.get("VmHWM", 0) / 1024,
                               "pss_mb": rollup_mb(pid).get("Pss", float("nan"))}
        return memory

    def master_pss_mb(self) -> float:
        return rollup_mb(self.process.pid).get("Pss", float("nan"))


def status_fields(pid: int) -> dict[str, int]:
    """The kB figures of /proc/<pid>/status."""
    return _kilobyte_fields(Path(f"/proc/{pid}/status"))


def rollup_mb(pid: int | str) -> dict[str, float]:
    """The figures of /proc/<pid>/smaps_rollup (Rss, Pss, ...) in MB; empty if the process is gone."""
    return {name: kilobytes / 1024 for name, kilobytes in _kilobyte_fields(Path(f"/proc/{pid}/smaps_rollup")).items()}


def _kilobyte_fields(path: Path) -> dict[str, int]:
    fields = {}
    try:
        for line in path.read_text().splitlines():
            name, _, value = line.partition(":")
            parts = value.split()
            if len(parts) == 2 and parts[1] == "kB":
                fields[name] = int(parts[0])
    except OSError:
        pass
    return fields


def gunicorn_server(dataset_dir: Path, state_dir: Path, log_path: Path, workers: int = WORKERS,
                    threads: int = THREADS, worker_class: str = WORKER_CLASS) -> GunicornServer:
    """gunicorn serving ``dataset_dir`` on a free 127.0.0.1 port, user state under ``state_dir``, its
    output in ``log_path``; started, not yet waited for, and stopped on leaving its ``with`` block.

    The command line is `make serve`'s, with the port, the workers, the threads and (to compare) the
    worker class given here.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = server_environment(state_dir, dataset=Path(dataset_dir).resolve(), secret_key=secrets.token_hex(32),
                             **NO_RATE_LIMITS)
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
               "--worker-class", worker_class, "--bind", f"127.0.0.1:{port}", "--preload", "--access-logfile", "-", "--no-control-socket",
               ENTRY_POINT]
    return GunicornServer(command, port, env, log_path)
