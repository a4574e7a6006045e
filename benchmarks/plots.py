"""PNG charts for docs/benchmarks.md (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the headless backend)

OURS, STOCK = "#2a7f62", "#9a9a9a"


def _bars(ax, labels: list[str], ours: list[float | None], stock: list[float | None], fmt: str) -> None:
    x = range(len(labels))
    w = 0.38
    for offset, values, colour, name in ((-w / 2, ours, OURS, "ours"), (w / 2, stock, STOCK, "stock LangChain")):
        xs = [i + offset for i, v in zip(x, values) if v is not None]
        vs = [v for v in values if v is not None]
        bars = ax.bar(xs, vs, w, color=colour, label=name)
        ax.bar_label(bars, labels=[fmt.format(v) for v in vs], fontsize=8, padding=2)
    ax.set_xticks(list(x), labels, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)


def latency(r: dict, path: Path) -> None:
    """Warm search/ask latency (ms, log scale) and cold start (s), ours beside stock."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 1]})
    labels = ["search\nmedian", "search\np95", "ask\nmedian", "CLI batch\nper query"]
    ours = [r["ours"]["search_ms"]["median"], r["ours"]["search_ms"]["p95"], r["ours"]["ask_ms"]["median"],
            r["ours"]["cli_batch_ms"]["median"]]
    stock = [r["stock"]["search_ms"]["median"], r["stock"]["search_ms"]["p95"], None, None]
    _bars(a, labels, ours, stock, "{:.1f}")
    a.set_yscale("log")
    a.set_ylabel("milliseconds (log scale; lower is better)")
    a.set_title("Warm latency")
    a.legend(frameon=False, fontsize=8)
    _bars(b, ["cold start"], [r["ours"]["cold_start_s"]], [r["stock"]["cold_start_s"]], "{:.1f} s")
    b.set_ylabel("seconds")
    b.set_title("Process start → first result")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def recall(r: dict, path: Path) -> None:
    """recall@5 and MRR@5 on dev and holdout, ours beside stock."""
    fig, ax = plt.subplots(figsize=(8, 4))
    keys = [("dev", "recall"), ("dev", "mrr"), ("holdout", "recall"), ("holdout", "mrr")]
    labels = [f"{s}\n{'recall@5' if m == 'recall' else 'MRR@5'}" for s, m in keys]
    _bars(ax, labels, [r["ours"]["quality"][s][m] for s, m in keys], [r["stock"]["quality"][s][m] for s, m in keys],
          "{:.2f}")
    ax.set_ylim(0, 1.1)
    ax.axhline(0.95, color="#c0504d", lw=0.8, ls="--")
    ax.axhline(0.85, color="#c0504d", lw=0.8, ls=":")
    ax.set_title("Retrieval quality (dashed: recall target 0.95, dotted: MRR target 0.85)")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def scaling(rows: list[dict], path: Path, server: dict | None = None, fake: list[dict] | None = None) -> None:
    """Ingest rate, query latency and memory against corpus size."""
    sizes = [r["chunks"] for r in rows]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
    axes[0].plot(sizes, [r["chunks_per_s"] for r in rows], "o-", color=OURS)
    axes[0].set_title("Ingest (chunks/s, embedding included)")
    axes[1].plot(sizes, [r["search_ms"]["median"] for r in rows], "o-", color=OURS, label="p50")
    axes[1].plot(sizes, [r["search_ms"]["p95"] for r in rows], "s--", color=OURS, label="p95")
    if server:
        axes[1].plot([server["chunks"]], [server["search_ms"]["p95"]], "^", color="#4f81bd", label="p95, Chroma server")
    if fake:
        enc = rows[-1]["encode_ms"]["median"] if rows else 0.0
        axes[1].plot([r["chunks"] for r in fake], [r["search_ms"]["p95"] + enc for r in fake], "x:", color="#e46c0a",
                     label="p95, fake-hash index + ONNX encode")
    axes[1].axhline(50, color="#c0504d", lw=0.8, ls="--")
    axes[1].set_title("Search latency (ms; dashed: 50 ms target)")
    axes[1].legend(frameon=False, fontsize=8)
    axes[2].plot(sizes, [r["peak_rss_mb"] for r in rows], "o-", color=OURS, label="peak RSS, query process")
    axes[2].plot(sizes, [r["index_mb"] for r in rows], "s--", color=STOCK, label="index on disk")
    axes[2].set_title("Memory and disk (MB)")
    axes[2].legend(frameon=False, fontsize=8)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("chunks")
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
