"""Thin command line over the library: parse, call, render. `assistant --help` lists the commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.errors import AssistantError, InputError

TEXT_COMMANDS = {"search": "query", "ask": "question", "check": "text", "prompts": "situation"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="assistant", description="Strengths-based practice assistant: cited answers, "
                                "conversation prompts and citation checks over social-care guidance.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    ing = sub.add_parser("ingest", help="build or update the index from corpus/ (and add files to the library)")
    ing.add_argument("paths", nargs="*", type=Path, help="guidance files or folders to add (PDF, Word, HTML, Markdown, text)")
    ing.add_argument("--rebuild", action="store_true", help="re-embed everything from scratch")
    ing.add_argument("--clear-refused", action="store_true",
                     help="delete files in the library that cannot be read (kept there by earlier versions)")
    d = sub.add_parser("docs", help="list the indexed documents")
    d.add_argument("--json", action="store_true")
    rm = sub.add_parser("remove", help="remove user-added documents from the library and index")
    rm.add_argument("doc_ids", nargs="+")
    for name, field in TEXT_COMMANDS.items():
        sp = sub.add_parser(name, help={"search": "find passages", "ask": "ask a question, get a cited answer",
                                        "check": "check the claims and citations in a text",
                                        "prompts": "strengths-focused conversation prompts for a situation"}[name])
        sp.add_argument(field, nargs="?", help=f"the {field} (or use --batch)")
        sp.add_argument("--batch", metavar="FILE.jsonl", help="one JSON object per line ('-' for stdin)")
        sp.add_argument("--json", action="store_true", help="print JSON")
        if name == "search":
            sp.add_argument("-k", type=int, default=None, help="how many passages")
        if name == "check":
            sp.add_argument("--file", type=Path, help="check a .txt/.md/.docx file ('-' for stdin)")
            sp.add_argument("--markdown", action="store_true", help="print a Markdown report")
        if name == "prompts":
            sp.add_argument("--setting", default="adults", help="adults | carers | children-families | community")
            sp.add_argument("--stage", default=None, help="opening | exploring | planning | reviewing")
            sp.add_argument("-n", type=int, default=10, help="how many prompts (8-12)")
            sp.add_argument("--markdown", action="store_true", help="print Markdown to paste into notes")
    rf = sub.add_parser("reframe", help="mark deficit language and suggest strengths-based wording")
    rf.add_argument("text")
    rf.add_argument("--json", action="store_true")
    sv = sub.add_parser("serve", help="start the web app")
    sv.add_argument("--host", default=None)
    sv.add_argument("--port", type=int, default=None)
    ev = sub.add_parser("eval", help="run evaluation sets and print metrics")
    ev.add_argument("--set", dest="set_dir", type=Path, action="append", default=None, metavar="DIR",
                    help="folder with questions/claims/scenarios .jsonl; repeatable (default: eval/dev, eval/holdout, eval/fresh)")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE",
                    help="fail (exit 1) when METRIC is below VALUE, e.g. recall@5=0.9; repeatable")
    ev.add_argument("--max", action="append", default=[], metavar="METRIC=VALUE",
                    help="fail (exit 1) when a lower-is-better METRIC is above VALUE, e.g. check.false_accept=0.05")
    ev.add_argument("--only", choices=("questions", "claims", "scenarios", "conversations"), help="run one part of each set")
    ev.add_argument("-k", "--k", dest="k", type=int, default=5, help="passages counted for recall@k and MRR@k")
    fb = sub.add_parser("feedback", help="turn app feedback into eval cases")
    fb.add_argument("action", choices=("export",), help="export: add 👎 / wrong-citation questions to OUT_DIR")
    fb.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="eval set folder (questions.jsonl is added to)")
    sub.add_parser("settings", help="list every setting, its value and what it does")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _dispatch(args) -> int:
    from assistant.settings import get_settings

    settings = get_settings()
    if args.command == "settings":
        return _print_settings(settings)
    if args.command == "serve":
        from ui.app import serve

        return serve(settings, host=args.host, port=args.port) or 0
    if args.command == "feedback":
        from assistant.evaluation.evaluate import export_feedback_command

        return export_feedback_command(settings, args.out_dir)
    if args.command == "reframe":
        from assistant.safety.language import reframe

        r = reframe(args.text)
        print(r.model_dump_json(indent=1) if args.json else r.suggested)
        return 0
    from assistant.core import Assistant

    a = Assistant(settings)
    if args.command == "ingest":
        return _ingest(a, args)
    if args.command == "docs":
        return _docs(a, args)
    if args.command == "remove":
        rep = a.remove(args.doc_ids)
        print(f"removed {', '.join(rep.removed) or 'nothing'}; {rep.chunks_total} passages indexed")
        return 0
    if args.command == "eval":
        from assistant.evaluation.evaluate import main as eval_main

        return eval_main(a, args)
    return _text_command(a, args)


def _text_command(a, args) -> int:
    from assistant.batch import run_batch

    if args.batch:
        stream = _stdin_text() if args.batch == "-" else _open_batch(args.batch)
        errors = run_batch(a, args.command, stream)
        return 1 if errors else 0
    value = getattr(args, TEXT_COMMANDS[args.command])
    if args.command == "check" and args.file:
        value = _read_text_file(args.file)
    if value is None:
        raise InputError(f"Give a {TEXT_COMMANDS[args.command]} in quotes, or --batch FILE.jsonl.")
    from assistant import render

    return render.RENDERERS[args.command](a, args, value)


def _stdin_text():
    """Standard input as UTF-8 whatever the locale says; undecodable bytes become U+FFFD, never a crash."""
    import io

    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")


def _open_batch(path: str):
    try:
        return open(path, encoding="utf-8", errors="replace")
    except OSError as e:
        raise InputError(f"Cannot read batch file {path}: {e.strerror}.") from e


def _read_text_file(path: Path) -> str:
    if str(path) == "-":
        return _stdin_text().read()
    from assistant.errors import LoaderError
    from assistant.ingest.loaders import load_path

    try:
        return load_path(path).text
    except LoaderError as e:
        raise InputError(str(e)) from e


def _ingest(a, args) -> int:
    rep = a.ingest(args.paths or None, rebuild=args.rebuild, progress=True, clear_refused=args.clear_refused)
    parts = [f"{len(rep.added)} added", f"{len(rep.updated)} updated", f"{len(rep.removed)} removed",
             f"{len(rep.unchanged)} unchanged"]
    print(f"Indexed {rep.chunks_total} passages ({', '.join(parts)}; {rep.chunks_embedded} embedded) "
          f"in {rep.seconds:.1f}s")
    for path, why in rep.skipped.items():
        name = Path(path).name  # the loader's reasons already start with the file name
        print(f"refused {path}{why[len(name):] if why.startswith(name + ':') else ': ' + why}", file=sys.stderr)
    return 1 if rep.skipped else 0  # a refused file is a failure the caller must see


def _docs(a, args) -> int:
    infos = a.docs()
    if args.json:
        print(json.dumps([i.model_dump() for i in infos], indent=1))
        return 0
    for i in infos:
        print(f"{i.doc_id}\n  {i.title} — {i.publisher or 'publisher not stated'}; {i.chunks} passages; "
              f"added {i.added[:10]}{'; ' + i.date if i.date else ''}")
    return 0


def _print_settings(settings) -> int:
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if "key" in name or "password" in name:
            value = "***" if str(value.get_secret_value() if hasattr(value, "get_secret_value") else value) else ""
        print(f"ASSISTANT_{name.upper()}={value}\n    {field.description}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
