"""Training and suggesting cost of the learned suggester at 10,000 labelled sentences.

``python bench/suggester_bench.py [--sentences 10000]``: the sentences are the seed corpus's
(cycled, with a number per copy so that no two are equal), labelled by the cue suggester
with 20 % of the labels flipped, in documents of 50 sentences. It prints the training time
(features, 5-fold cross-validation and the final fit), the process's peak resident memory,
and the time to suggest on one 50-sentence document with the cue suggester and the model.
No database: it calls the suggester modules directly.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=10_000)
    args = parser.parse_args()
    texts, y, groups = corpus(args.sentences, seed=1)
    lex = cues.lexicon()
    model, evaluation = learned.train(texts, y, groups, lex, seed=1)
    began = time.perf_counter()
    document = texts[:50]
    for text in document:
        cues.score(cues.match(text, lex=lex), "fact")
    learned.predict(model.model, document, lex)
    one_document = time.perf_counter() - began
    print(
        json.dumps(
            {
                "sentences": evaluation.n,
                "train_seconds": round(evaluation.seconds, 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "suggest_one_document_50_sentences_seconds": round(one_document, 3),
                "cv_macro_f1": round(evaluation.macro_f1, 3),
                "baseline_macro_f1": round(evaluation.baseline_macro_f1, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
