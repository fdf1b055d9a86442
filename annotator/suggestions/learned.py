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
# Folds for the learning curve's smaller shares (cheaper); its last point is the full evaluation.
CURVE_FOLDS = 3


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


@dataclass(slots=True)
class Trained:
    """The model fitted on every sentence, and the cross-validation's fold models with the
    fold each document was held out of: a document that was trained on is suggested by the
    model that never saw it, so a suggestion does not hand an annotator the labels other
    annotators gave that very sentence (blindness)."""

    model: Any
    folds: list[Any]
    held_out: dict[int, int]  # document (group) -> index in ``folds``

    def for_document(self, document: int) -> Any:
        fold = self.held_out.get(document)
        return self.model if fold is None else self.folds[fold]


def evaluate(
    x: np.ndarray,
    y: Sequence[str],
    groups: Sequence[int],
    lex: Lexicon,
    seed: int,
    max_folds: int = MAX_FOLDS,
) -> tuple[Evaluation, list[Any], dict[int, int]]:
    """Cross-validated predictions of the model (a document's sentences in one fold) and
    of the majority class; with the fold models and the fold each document was held out of."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
    from sklearn.model_selection import StratifiedGroupKFold, cross_validate

    folds = min(max_folds, len(set(groups)))
    cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    fitted = cross_validate(
        pipeline(len(lex.labels), seed),
        x,
        list(y),
        groups=groups,
        cv=cv,
        return_estimator=True,
        return_indices=True,
    )
    out_of_fold = np.empty(len(y), dtype=object)
    held_out: dict[int, int] = {}
    for fold, (estimator, test) in enumerate(
        zip(fitted["estimator"], fitted["indices"]["test"], strict=True)
    ):
        out_of_fold[test] = estimator.predict(x[test])
        held_out.update((int(groups[i]), fold) for i in test)
    predicted = out_of_fold.tolist()
    labels = sorted(set(y))
    p, r, f, n = precision_recall_fscore_support(y, predicted, labels=labels, zero_division=0)
    majority = Counter(y).most_common(1)[0][0]
    baseline = [majority] * len(y)
    _, _, bf, _ = precision_recall_fscore_support(y, baseline, labels=labels, zero_division=0)
    evaluation = Evaluation(
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
    return evaluation, list(fitted["estimator"]), held_out


CURVE_FRACTIONS = (0.25, 0.5, 0.75)


def learning_curve(
    x: np.ndarray, y: Sequence[str], groups: Sequence[int], lex: Lexicon, seed: int
) -> list[tuple[int, float]]:
    """Cross-validated (``CURVE_FOLDS`` folds) macro-F1 when trained on a quarter, half and
    three quarters of the documents (drawn with ``seed``) as ``(labelled sentences,
    macro-F1)``; a share too small to cross-validate (under two documents or two labels)
    is left out."""
    documents = sorted(set(groups))
    np.random.default_rng(seed).shuffle(documents)
    points = []
    for fraction in CURVE_FRACTIONS:
        chosen = set(documents[: int(len(documents) * fraction)])
        rows = [i for i, group in enumerate(groups) if group in chosen]
        part_y = [y[i] for i in rows]
        if len(chosen) < 2 or len(set(part_y)) < 2:
            continue
        part, _, _ = evaluate(
            x[rows], part_y, [groups[i] for i in rows], lex, seed, max_folds=CURVE_FOLDS
        )
        points.append((part.n, part.macro_f1))
    return points


def train(
    texts: Sequence[str],
    y: Sequence[str],
    groups: Sequence[int],
    lex: Lexicon,
    *,
    seed: int,
    curve: bool = True,
) -> tuple[Trained, Evaluation]:
    """The models (see ``Trained``), with their cross-validated evaluation (and, with
    ``curve``, the learning curve in ``extra["learning_curve"]``: ``[n, macro-F1]`` pairs
    ending with all the sentences), the time taken and the process's peak resident memory
    so far (it includes what was loaded before: read it in a process that does nothing
    else, as ``train_suggester`` is)."""
    if len(set(y)) < 2 or len(set(groups)) < 2:
        raise ValueError("Training needs sentences of two labels and two documents at least.")
    began = time.perf_counter()
    x = features(texts, lex)
    evaluation, folds, held_out = evaluate(x, y, groups, lex, seed)
    if curve:
        curve_began = time.perf_counter()
        points = [*learning_curve(x, y, groups, lex, seed), (evaluation.n, evaluation.macro_f1)]
        evaluation.extra["learning_curve"] = [[n, f1] for n, f1 in points]
        evaluation.extra["curve_seconds"] = round(time.perf_counter() - curve_began, 2)
    model = Trained(pipeline(len(lex.labels), seed).fit(x, list(y)), folds, held_out)
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
