"""Soak test on loopback: many concurrent clients asking, searching and checking for a few minutes.

    python benchmarks/soak.py [--clients 20] [--minutes 2] [--max-requests 20000] [--mode auto|app|library]
                              [--model fake-hash]

Mode `app` starts `python -m assistant serve --host 127.0.0.1 --port FREE` with its index in a temp
folder and drives the Gradio API endpoints "ask", "search" and "check" through gradio_client. Mode
`library` calls assistant.core.Assistant from threads in this process. `auto` tries the app and falls
back to the library. Prints a Markdown table: requests, errors, p50/p95 latency per operation, and the
server's resident memory at start, after warm-up, at the end and at its peak. Not part of pytest.
Exit status 1 when any request failed or the server died.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as `python benchmarks/soak.py` from a checkout
    sys.path.insert(0, str(REPO))

OPERATIONS = ("ask", "search", "check")
FALLBACK_TEXTS = {
    "ask": ["What does the Care Act 2014 say about family and friends providing support?"],
    "search": ["munro 2011"],
    "check": ["Practitioners need time to research community resources (Care Act 2014 guidance)."],
}


# ---------------------------------------------------------------- inputs and measurements


def workload() -> dict[str, list[str]]:
    """Realistic inputs from the dev evaluation set (questions double as search queries)."""
    def field_of(path: Path, name: str) -> list[str]:
        if not path.exists():
            return []
        rows = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
        return [r[name] for r in rows if isinstance(r.get(name), str) and r[name].strip()]

    dev = REPO / "eval" / "dev"
    questions = field_of(dev / "questions.jsonl", "question")
    texts = {"ask": questions, "search": questions, "check": field_of(dev / "claims.jsonl", "text")}
    return {op: texts[op] or FALLBACK_TEXTS[op] for op in OPERATIONS}


@dataclass
class Tally:
    """Latencies and failures of one operation, shared by all client threads."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


class MemoryWatch:
    """Samples a process's resident memory once a second; the kernel's high-water mark gives the peak."""

    def __init__(self, pid: int):
        self.pid, self.samples, self._stop = pid, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss_mb(self) -> float | None:
        try:
            import psutil

            return psutil.Process(self.pid).memory_info().rss / 2**20
        except ImportError:
            kb = _proc_status_kb(self.pid, "VmRSS")
            return kb / 1024 if kb else None
        except Exception:  # the process is gone
            return None

    def peak_mb(self) -> float | None:
        kb = _proc_status_kb(self.pid, "VmHWM")
        if kb:
            return kb / 1024
        return max(self.samples, default=None)

    def start(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            mb = self.rss_mb()
            if mb is not None:
                self.samples.append(mb)


def _proc_status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# ---------------------------------------------------------------- the two targets


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(env: dict, port: int, timeout: float, log_path: Path) -> subprocess.Popen:
    """Start the app on loopback and wait (bounded) until it answers HTTP."""
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with status {proc.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise RuntimeError(f"the app did not answer on 127.0.0.1:{port} within {timeout:.0f} s; see {log_path}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def app_caller(port: int) -> Callable[[], Callable[[str, str], object]]:
    """A factory giving each client thread its own gradio_client connection."""
    def make():
        from gradio_client import Client

        client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False, download_files=False)
        args = {"ask": "question", "search": "query", "check": "text"}

        def call(op: str, text: str):
            return client.predict(**{args[op]: text}, api_name=f"/{op}")
        return call
    return make


def library_caller(assistant) -> Callable[[], Callable[[str, str], object]]:
    def make():
        def call(op: str, text: str):
            return getattr(assistant, op)(text)
        return call
    return make


# ---------------------------------------------------------------- the soak


def soak(make_caller, clients: int, seconds: float, max_requests: int, texts: dict[str, list[str]],
         on_warm: Callable[[], None]) -> dict[str, Tally]:
    """Run `clients` threads cycling ask/search/check until the time or the request budget runs out."""
    tallies = {op: Tally() for op in OPERATIONS}
    budget = itertools.count()
    warm = threading.Barrier(clients, action=on_warm)
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        try:
            call = make_caller()
        except Exception as e:  # noqa: BLE001 - a client that cannot connect is an error, not a crash
            tallies["ask"].add(0.0, f"connect: {type(e).__name__}: {e}")
            call = None
        ops = itertools.cycle(OPERATIONS[n % 3:] + OPERATIONS[:n % 3])
        first = True
        while call is not None and time.monotonic() < deadline and next(budget) < max_requests:
            op = next(ops)
            pool = texts[op]
            text = pool[(n * 7 + len(tallies[op].latencies)) % len(pool)]
            t0 = time.perf_counter()
            error = None
            try:
                call(op, text)
            except Exception as e:  # noqa: BLE001 - counted and reported
                error = f"{op}: {type(e).__name__}: {str(e)[:200]}"
            tallies[op].add(time.perf_counter() - t0, error)
            if first:  # memory "after warm-up" is taken once every client has finished one request
                first = False
                try:
                    warm.wait(timeout=max(1.0, deadline - time.monotonic()))
                except threading.BrokenBarrierError:
                    pass
        if first:
            warm.abort()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 300)
    return tallies


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def markdown(mode: str, clients: int, seconds: float, tallies: dict[str, Tally], memory: dict[str, float | None],
             server_alive: bool) -> str:
    total = sum(len(t.latencies) for t in tallies.values())
    errors = sum(len(t.errors) for t in tallies.values())
    rows = ["| operation | requests | errors | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|---:|"]
    for op, t in tallies.items():
        lat = [x * 1000 for x in t.latencies]
        rows.append(f"| {op} | {len(lat)} | {len(t.errors)} | {percentile(lat, 50):.0f} | {percentile(lat, 95):.0f} "
                    f"| {max(lat, default=float('nan')):.0f} |")

    def mb(v):
        return "n/a" if v is None else f"{v:.0f} MB"

    start, warm, end = memory.get("start"), memory.get("warm"), memory.get("end")
    growth = f"{(end - warm) / warm * 100:+.1f}%" if end and warm else "n/a"
    stable = "yes" if end and warm and end <= warm * 1.10 else ("no" if end and warm else "n/a")
    lines = [f"## Soak: {mode}, {clients} clients, {seconds:.0f} s on 127.0.0.1", "",
             f"{total} requests, **{errors} errors**{'' if server_alive else ', the server DIED'}; "
             f"{total / seconds:.1f} requests/s.", "", *rows, "",
             "| memory (resident) | value |", "|---|---:|",
             f"| at start | {mb(start)} |", f"| after warm-up | {mb(warm)} |", f"| at end | {mb(end)} |",
             f"| peak | {mb(memory.get('peak'))} |", f"| end vs warm-up | {growth} (stable: {stable}) |"]
    first_errors = [e for t in tallies.values() for e in t.errors][:5]
    if first_errors:
        lines += ["", "First errors:", *[f"- `{e}`" for e in first_errors]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--minutes", type=float, default=2.0)
    p.add_argument("--max-requests", type=int, default=20000, help="stop after this many requests in all")
    p.add_argument("--mode", choices=["auto", "app", "library"], default="auto")
    p.add_argument("--model", default=None, help="ASSISTANT_MODEL for the run (default: the bundled model)")
    p.add_argument("--startup-timeout", type=float, default=300, help="seconds to wait for the app and its index")
    args = p.parse_args(argv)
    if not 1 <= args.clients <= 200 or not 0 < args.minutes <= 60:
        p.error("use 1-200 clients and up to 60 minutes")
    seconds = args.minutes * 60

    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        env.update(ASSISTANT_HOME=tmp, ASSISTANT_CORPUS_DIR=str(REPO / "corpus"),
                   ASSISTANT_INDEX_DIR=str(Path(tmp) / "indexes"), ASSISTANT_APP_CONCURRENCY="4")
        if args.model:
            env["ASSISTANT_MODEL"] = args.model
        texts = workload()
        if args.mode in ("auto", "app"):
            try:
                return run_app(env, args, seconds, texts, Path(tmp))
            except (RuntimeError, ImportError) as e:
                if args.mode == "app":
                    print(f"error: {e}", file=sys.stderr)
                    return 1
                print(f"The app is unavailable ({e}); soaking the library in-process instead.", file=sys.stderr)
        return run_library(env, args, seconds, texts)


def run_app(env: dict, args, seconds: float, texts: dict[str, list[str]], tmp: Path) -> int:
    import gradio_client  # noqa: F401 - fail early (ImportError) when the client is missing

    port = free_port()
    print(f"Starting the app on 127.0.0.1:{port} (building its index first)…", file=sys.stderr)
    proc = start_app(env, port, args.startup_timeout, tmp / "app.log")
    watch = MemoryWatch(proc.pid).start()
    memory = {"start": watch.rss_mb()}
    try:
        tallies = soak(app_caller(port), args.clients, seconds, args.max_requests, texts,
                       on_warm=lambda: memory.__setitem__("warm", watch.rss_mb()))
        alive = proc.poll() is None
        memory.update(end=watch.rss_mb(), peak=watch.peak_mb())
    finally:
        watch.stop()
        stop(proc)
    print(markdown("app (gradio_client)", args.clients, seconds, tallies, memory, alive))
    return 0 if alive and not any(t.errors for t in tallies.values()) else 1


def run_library(env: dict, args, seconds: float, texts: dict[str, list[str]]) -> int:
    os.environ.update(env)
    for key in [k for k in os.environ if k.startswith("ASSISTANT_") and k not in env]:
        del os.environ[key]
    from assistant.core import Assistant
    from assistant.settings import get_settings

    get_settings.cache_clear()
    a = Assistant(get_settings())
    a.ensure_index(progress=True)
    watch = MemoryWatch(os.getpid()).start()
    memory = {"start": watch.rss_mb()}
    try:
        tallies = soak(library_caller(a), args.clients, seconds, args.max_requests, texts,
                       on_warm=lambda: memory.__setitem__("warm", watch.rss_mb()))
        memory.update(end=watch.rss_mb(), peak=watch.peak_mb())
    finally:
        watch.stop()
    print(markdown("library (in-process threads)", args.clients, seconds, tallies, memory, True))
    return 0 if not any(t.errors for t in tallies.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
