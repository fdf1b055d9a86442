"""The domain models, one module per group; everything is re-exported here.

- ``corpus``: sources, documents, sentences;
- ``projects``: projects, memberships, labels, assignments, progress;
- ``spans``: annotations, gold spans, the audit trail;
- ``stories``: documents of several outlets grouped by the event they cover;
- ``tallies``: the stored counts behind source profiles;
- ``accounts``: each user's language and time zone;
- ``suggestions``: suggested labels and holders (external agents' predictions among
  them), decisions on them, added cues;
- ``discussion``: comments on documents and passages, mentions, reopened documents;
- ``jobs``: background jobs (large imports, exports, recounts);
- ``tokens``: personal API tokens.

Offsets everywhere are Unicode code points into ``Document.text`` (Python string
indices), never UTF-16 units or bytes.
"""

from annotator.models.accounts import UserProfile
from annotator.models.corpus import Document, FrozenTextError, Sentence, Source, text_sha256
from annotator.models.discussion import COMMENT_MAX, Comment, Mention
from annotator.models.jobs import Job
from annotator.models.notes import NOTE_MAX, NoteValidationError, check_note
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
    HOLDER_MAX_LENGTH,
    NO_LABEL,
    Annotation,
    AnnotationEvent,
    GoldAnnotation,
    HolderKind,
    HolderValidationError,
    SpanModel,
    SpanValidationError,
    check_holder,
    check_span,
)
from annotator.models.stories import Story
from annotator.models.suggestions import BUILT_IN_AGENTS, Cue, Suggestion, SuggestionDecision
from annotator.models.tallies import DocumentTally, PassageVote
from annotator.models.tokens import ApiToken
from annotator.text.sentences import sentence_spans

__all__ = [
    "BUILT_IN_AGENTS",
    "DEFAULT_LABELS",
    "NOTE_MAX",
    "NO_LABEL",
    "COMMENT_MAX",
    "Comment",
    "Mention",
    "NoteValidationError",
    "check_note",
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
    "Project",
    "ProjectDocument",
    "Sentence",
    "SpanModel",
    "SpanValidationError",
    "Source",
    "Story",
    "check_span",
    "HOLDER_MAX_LENGTH",
    "HolderKind",
    "HolderValidationError",
    "check_holder",
    "Cue",
    "Suggestion",
    "SuggestionDecision",
    "sentence_spans",
    "text_sha256",
    "UserProfile",
]
