"""Test helpers: members with roles, and labels put on whole sentences."""

from annotator.models import Membership, Sentence
from tests.support import factories


def member(project, username: str, role: str = Membership.Role.ANNOTATOR):
    return factories.MembershipFactory(
        project=project, user=factories.UserFactory(username=username), role=role
    ).user


def label_sentence(project, document, index: int, label: str, *, annotator=None):
    """An annotation by ``annotator`` (or, without one, a gold span) over sentence ``index``."""
    sentence = Sentence.objects.get(document=document, index=index)
    fields = {
        "project": project,
        "document": document,
        "label": factories.project_label(project, label),
        "start": sentence.start,
        "end": sentence.end,
    }
    if annotator is None:
        return factories.GoldAnnotationFactory(**fields)
    return factories.AnnotationFactory(annotator=annotator, **fields)
