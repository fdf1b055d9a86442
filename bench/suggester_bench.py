"""Training and suggesting cost of the learned suggester at 10,000 labelled sentences.

``python bench/suggester_bench.py [--sentences 10000]``, or as the benchmark's
``suggester`` scenario (``make bench``; alone: ``make bench-suggester``): the sentences
are the seed corpus's (cycled, with a number per copy so that no two are equal), labelled
by the cue suggester with 20 % of the labels flipped, in documents of 50 sentences. It
prints the training time (features, 5-fold cross-validation, the learning curve and the
final fit), the process's peak resident memory, and the time to suggest on one
50-sentence document with the cue suggester and the model.
No database: it calls the suggester modules directly.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.suggestions import cues, learned  # noqa: E402
from annotator.text.sentences import sentence_spans  # noqa: E402

LABELS = ["fact", "opinion", "speculation"]


def corpus(n: int, seed: int) -> tuple[list[str], list[str], list[int]]:
    rng = random.Random(seed)
    lex = cues.lexicon()
    seeds = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        seeds += [text[start:end] for start, end in sentence_spans(text)]
    texts, y = [], []
    for i in range(n):
        text = f"{seeds[i % len(seeds)]} ({i // len(seeds)})"
        label = cues.score(cues.match(text, lex=lex), "fact").top or "fact"
        texts.append(text)
        y.append(rng.choice(LABELS) if rng.random() < 0.2 else label)
    return texts, y, [i // 50 for i in range(n)]


def measure(sentences: int) -> dict:
    """Train on ``sentences`` (with the learning curve, as ``train_suggester`` does) and
    suggest on one 50-sentence document with both suggesters, as the fold model would."""
    texts, y, groups = corpus(sentences, seed=1)
    lex = cues.lexicon()
    began = time.perf_counter()
    model, evaluation = learned.train(texts, y, groups, lex, seed=1, curve=True)
    train_seconds = time.perf_counter() - began
    began = time.perf_counter()
    document = texts[:50]
    for text in document:
        cues.score(cues.match(text, lex=lex), "fact")
    learned.predict(model.for_document(groups[0]), document, lex)
    one_document = time.perf_counter() - began
    return {
        "sentences": evaluation.n,
        "train_seconds": round(train_seconds, 1),
        "train_cpu_seconds": round(time.process_time(), 1),
        "learning_curve_seconds": round(evaluation.extra.get("curve_seconds", 0.0), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "suggest_one_document_50_sentences_seconds": round(one_document, 3),
        "cv_macro_f1": round(evaluation.macro_f1, 3),
        "baseline_macro_f1": round(evaluation.baseline_macro_f1, 3),
        "learning_curve": evaluation.extra.get("learning_curve", []),
    }


def figures(sentences: int, *, log=None) -> list[dict]:
    """The benchmark's figures (``bench.run``): this script in a process of its own, so
    that its peak memory is the suggester's alone."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--sentences", str(sentences)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if log is not None:
        log(f"suggester: {json.dumps(result)}")
    return [
        {
            "name": "suggester_train",
            "unit": "s",
            "n": result["sentences"],
            "total": result["train_seconds"],
            "peak_memory_mb": result["peak_rss_mb"],
            "cpu_seconds": result["train_cpu_seconds"],
            "learning_curve_seconds": result["learning_curve_seconds"],
            "cv_macro_f1": result["cv_macro_f1"],
            "baseline_macro_f1": result["baseline_macro_f1"],
        },
        {
            "name": "suggester_document",
            "unit": "s",
            "n": 50,
            "total": result["suggest_one_document_50_sentences_seconds"],
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(measure(args.sentences)))


if __name__ == "__main__":
    main()
