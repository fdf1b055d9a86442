"""The domain models, one module per group; everything is re-exported here.

- ``corpus``: sources, documents, sentences;
- ``projects``: projects, memberships, labels, assignments, progress;
- ``spans``: annotations, gold spans, the audit trail;
- ``tallies``: the stored counts behind source profiles;
- ``jobs``: background jobs (large imports, exports, recounts);
- ``tokens``: personal API tokens;
- ``predictions``: models' predicted spans, kept apart from annotations.

Offsets everywhere are Unicode code points into ``Document.text`` (Python string
indices), never UTF-16 units or bytes.
"""

from annotator.models.corpus import Document, FrozenTextError, Sentence, Source, text_sha256
from annotator.models.jobs import Job
from annotator.models.predictions import Prediction
from annotator.models.projects import (
    DEFAULT_LABELS,
    Assignment,
    DocumentCopies,
    DocumentProgress,
    Label,
    Membership,
    Project,
    ProjectDocument,
)
from annotator.models.spans import (
    Annotation,
    AnnotationEvent,
    GoldAnnotation,
    SpanModel,
    SpanValidationError,
    check_span,
)
from annotator.models.tallies import DocumentTally, PassageVote
from annotator.models.tokens import ApiToken
from annotator.text.sentences import sentence_spans

__all__ = [
    "DEFAULT_LABELS",
    "Annotation",
    "AnnotationEvent",
    "ApiToken",
    "Assignment",
    "Document",
    "DocumentCopies",
    "DocumentProgress",
    "DocumentTally",
    "FrozenTextError",
    "GoldAnnotation",
    "Job",
    "Label",
    "Membership",
    "PassageVote",
    "Prediction",
    "Project",
    "ProjectDocument",
    "Sentence",
    "SpanModel",
    "SpanValidationError",
    "Source",
    "check_span",
    "sentence_spans",
    "text_sha256",
]
