"""The learned suggester: logistic regression over lemma uni- and bigrams (tf-idf) and the
cue suggester's per-label weights, trained on the project's labelled sentences.

Sentences a coder left unlabelled are a class of their own (``NO_LABEL``): predicting it
suggests no label. Cross-validation keeps each document's sentences in one fold (one
coder's sentences, and several coders' labels of one sentence, are not independent), and
the majority class is the baseline every figure is read against. scikit-learn is imported
inside the functions only (see the package docstring).
"""

from __future__ import annotations

import resource
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotator.suggestions.cues import Lexicon, match_tokens
from annotator.suggestions.lemmas import tokens

NO_LABEL = "(none)"
MAX_FOLDS = 5


def features(texts: Sequence[str], lex: Lexicon) -> np.ndarray:
    """One row per sentence: its lemmas joined by spaces, then its summed cue weight per
    label of the lexicon (an object array the model's column transformer splits)."""
    labels = lex.labels
    rows = []
    for text in texts:
        words = tokens(text)
        weights = dict.fromkeys(labels, 0.0)
        for m in match_tokens(words, lex):
            weights[m.label] += m.weight
        rows.append([" ".join(w.lemma for w in words), *(weights[label] for label in labels)])
    return np.array(rows, dtype=object).reshape(len(rows), 1 + len(labels))


def as_float(x: Any) -> Any:
    return np.asarray(x, dtype=float)


def pipeline(n_cue_labels: int, seed: int) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    columns = ColumnTransformer(
        [
            (
                "ngrams",
                TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True),
                0,
            ),
            ("cues", FunctionTransformer(as_float), list(range(1, 1 + n_cue_labels))),
        ]
    )
    classifier = LogisticRegression(C=4.0, max_iter=2000, random_state=seed)
    return Pipeline([("features", columns), ("classifier", classifier)])


@dataclass(slots=True)
class Evaluation:
    labels: list[str]
    n: int
    folds: int
    per_label: list[tuple[str, float, float, float, int]]  # label, P, R, F1, n
    macro_f1: float
    accuracy: float
    baseline_label: str
    baseline_macro_f1: float
    baseline_accuracy: float
    confusion: list[list[int]]  # rows: true label, columns: predicted, in ``labels`` order
    seconds: float = 0.0
    peak_mb: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def splitter(y: Sequence[str], groups: Sequence[int], seed: int) -> tuple[Any, int]:
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    smallest = min(Counter(y).values())
    n_groups = len(set(groups))
    if n_groups >= 2:
        folds = max(2, min(MAX_FOLDS, n_groups))
        return StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed), folds
    folds = max(2, min(MAX_FOLDS, smallest))
    return StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed), folds


def evaluate(
    x: np.ndarray, y: Sequence[str], groups: Sequence[int], lex: Lexicon, seed: int
) -> Evaluation:
    """Cross-validated predictions of the model and of the majority class."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
    from sklearn.model_selection import cross_val_predict

    cv, folds = splitter(y, groups, seed)
    predicted = cross_val_predict(pipeline(len(lex.labels), seed), x, list(y), groups=groups, cv=cv)
    labels = sorted(set(y))
    p, r, f, n = precision_recall_fscore_support(y, predicted, labels=labels, zero_division=0)
    majority = Counter(y).most_common(1)[0][0]
    baseline = [majority] * len(y)
    _, _, bf, _ = precision_recall_fscore_support(y, baseline, labels=labels, zero_division=0)
    return Evaluation(
        labels=labels,
        n=len(y),
        folds=folds,
        per_label=[
            (label, float(p[i]), float(r[i]), float(f[i]), int(n[i]))
            for i, label in enumerate(labels)
        ],
        macro_f1=float(np.mean(f)),
        accuracy=float(accuracy_score(y, predicted)),
        baseline_label=majority,
        baseline_macro_f1=float(np.mean(bf)),
        baseline_accuracy=float(accuracy_score(y, baseline)),
        confusion=confusion_matrix(y, predicted, labels=labels).tolist(),
    )


def train(
    texts: Sequence[str], y: Sequence[str], groups: Sequence[int], lex: Lexicon, *, seed: int
) -> tuple[Any, Evaluation]:
    """The model fitted on every sentence, with its cross-validated evaluation, the time
    taken and the process's peak resident memory so far (it includes what was loaded
    before: read it in a process that does nothing else, as ``train_suggester`` is)."""
    if len(set(y)) < 2:
        raise ValueError("Training needs sentences of at least two labels.")
    began = time.perf_counter()
    x = features(texts, lex)
    evaluation = evaluate(x, y, groups, lex, seed)
    model = pipeline(len(lex.labels), seed).fit(x, list(y))
    evaluation.seconds = time.perf_counter() - began
    evaluation.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return model, evaluation


def predict(model: Any, texts: Sequence[str], lex: Lexicon) -> list[tuple[str, float]]:
    """Each sentence's top class and its probability."""
    if not texts:
        return []
    probabilities = model.predict_proba(features(texts, lex))
    classes = model.classes_
    best = probabilities.argmax(axis=1)
    return [(str(classes[i]), float(probabilities[row, i])) for row, i in enumerate(best)]
