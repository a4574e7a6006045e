"""A real Chroma server for the server-mode tests: `chroma run` in a temp folder on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_cli() -> Path | None:
    exe = Path(sys.executable).parent / "chroma"
    return exe if exe.exists() else (Path(p) if (p := shutil.which("chroma")) else None)


def _heartbeat(port: int) -> bool:
    for path in ("/api/v2/heartbeat", "/api/v1/heartbeat"):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            continue
    return False


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A Chroma server in a temp folder on a free loopback port; stopped when the session ends.
    Tests sharing it keep apart by library name (ASSISTANT_INDEX_NAME) or by the collections they look at."""
    exe = _chroma_cli()
    if exe is None:
        _unavailable("the chroma CLI is not installed next to this Python (pip install chromadb)")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data.parent / f"chroma-{port}.log", "w")
    proc = subprocess.Popen([str(exe), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 45
    while not _heartbeat(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait(timeout=10)
            log.close()
            tail = Path(log.name).read_text(errors="replace")[-500:]
            _unavailable(f"the chroma server did not start on 127.0.0.1:{port}: {tail}")
        time.sleep(0.2)
    yield port
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    log.close()


@pytest.fixture
def chroma_client(chroma_server):
    """A client of the test server, for looking at what is stored there."""
    import chromadb

    return chromadb.HttpClient(host="127.0.0.1", port=chroma_server,
                               settings=chromadb.Settings(anonymized_telemetry=False))


def _unavailable(why: str) -> None:
    """Skipped on a developer's machine; in CI (where `.ci/run` sets CI) the server tests must run, so fail."""
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)
