"""A real IndieLabel server in a subprocess on 127.0.0.1, for tests that speak HTTP to it."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from bench.server_process import ServerProcess, development_command, free_port, server_environment


@contextmanager
def live_server(dataset_dir: Path, state_dir: Path, **settings: str):
    """Serve ``dataset_dir`` with user state under ``state_dir``; yields the base URL.

    ``settings`` become INDIELABEL_<NAME> environment variables (e.g. avid_api_url="http://...").
    """
    port = free_port()
    with ServerProcess(development_command(port, dataset_dir), port, server_environment(state_dir, **settings),
                       state_dir / "server.log") as server:
        server.wait_until_healthy()
        yield server.url
