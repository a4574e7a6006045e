"""PNG charts for docs/benchmarks.md (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the headless backend)

OURS, STOCK, FAKE = "#2a7f62", "#9a9a9a", "#e46c0a"


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


def scaling(rows: list[dict], path: Path, server: dict | None = None, fake: list[dict] | None = None,
            earlier: list[dict] | None = None) -> None:
    """Ingest time, query latency and memory against corpus size (real-model rows and fake-hash rows)."""
    fake = fake or []
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.9))
    real_sizes = [r["chunks"] for r in rows]
    fake_sizes = [r["chunks"] for r in fake]
    axes[0].plot(real_sizes, [r["ingest_s"] for r in rows], "o", color=OURS, label="real model, measured")
    axes[0].plot(fake_sizes, [r["ingest_s"] - r["phases"].get("embed", 0.0) for r in fake], "x:", color=FAKE,
                 label="everything but the model (fake-hash run)")
    if rows and rows[-1]["phases"].get("embed"):
        rate = rows[-1]["embedded"] / rows[-1]["phases"]["embed"]
        axes[0].plot(fake_sizes, [r["ingest_s"] - r["phases"].get("embed", 0.0) + r["chunks"] / rate for r in fake],
                     "s--", color=OURS, alpha=0.6, label="estimated with the model")
    axes[0].set_yscale("log")
    axes[0].set_title("Ingest time (s)")
    axes[0].legend(frameon=False, fontsize=7)
    series_list = [(rows, "o", OURS, "real model"), (fake, "x", FAKE, "fake-hash index")]
    if earlier:
        series_list.append((earlier, "+", STOCK, "fake-hash, passage vectors only"))
    for series, style, colour, name in series_list:
        sizes = [r["chunks"] for r in series]
        axes[1].plot(sizes, [r["search_ms"]["median"] for r in series], style + "-", color=colour, label=f"p50, {name}")
        axes[1].plot(sizes, [r["search_ms"]["p95"] for r in series], style + "--", color=colour, label=f"p95, {name}")
    if server:
        axes[1].plot([server["chunks"]], [server["search_ms"]["p95"]], "^", color="#4f81bd", label="p95, Chroma server")
    axes[1].axhline(50, color="#c0504d", lw=0.8, ls="--")
    axes[1].set_title("Search latency incl. ONNX query embedding (ms)")
    axes[1].legend(frameon=False, fontsize=7)
    both = sorted(rows + fake, key=lambda r: r["chunks"])
    axes[2].plot(fake_sizes, [r["peak_rss_mb"] for r in fake], "x-", color=FAKE, label="peak RSS, query (fake-hash)")
    axes[2].plot(real_sizes, [r["peak_rss_mb"] for r in rows], "o", color=OURS, label="peak RSS, query (real)")
    axes[2].plot([r["chunks"] for r in both], [r["index_mb"] for r in both], "s--", color=STOCK, label="index on disk")
    axes[2].set_title("Memory and disk (MB)")
    axes[2].legend(frameon=False, fontsize=7)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("chunks")
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
