"""Suggested labels: a cue suggester (Russian hedging and opinion cues matched on lemmas)
and a learned suggester (logistic regression trained on the project's own labels).

``services`` is what commands and (later) background tasks call. The suggester modules
(``lemmas``, ``cues``, ``learned``) import pymorphy3 and scikit-learn only inside their
functions, and no web view imports this package: those libraries and their memory stay
out of the web process.
"""
