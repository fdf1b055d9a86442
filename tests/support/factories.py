"""factory-boy factories for every model."""

import factory
from django.contrib.auth import get_user_model

from annotator import models

PASSWORD = "annotate"

SAMPLE_TEXT = (
    "Завтра в Казахстан с государственным визитом прибывает президент России. "
    "Токаев считает, что необходим международный консорциум. "
    "Мы можем предположить, что январские события 2022 года изменили многое."
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"analyst{n + 100}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Source

    name = factory.Sequence(lambda n: f"Source {n}")
    kind = models.Source.Kind.NEWS_SITE
    language = "ru"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Document

    source = factory.SubFactory(SourceFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    text = factory.Sequence(lambda n: f"{SAMPLE_TEXT}\nНомер {n}.")
    language = "ru"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Project
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    guidelines = "Label **fact**, **opinion** and **speculation**."


class ProjectDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProjectDocument

    project = factory.SubFactory(ProjectFactory)
    document = factory.SubFactory(DocumentFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = models.Membership.Role.ANNOTATOR


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Label

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"label-{n}")
    title = factory.LazyAttribute(lambda label: label.name.title())
    color = "#6a1b9a"
    order = factory.Sequence(lambda n: 10 + n)


def project_label(project, name="fact"):
    return models.Label.objects.get(project=project, name=name)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Assignment

    project = factory.SubFactory(ProjectFactory)
    document = factory.SubFactory(DocumentFactory)
    annotator = factory.SubFactory(UserFactory)


class DocumentProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DocumentProgress

    project = factory.SubFactory(ProjectFactory)
    document = factory.SubFactory(DocumentFactory)
    annotator = factory.SubFactory(UserFactory)


class _SpanFactory(factory.django.DjangoModelFactory):
    project = factory.SubFactory(ProjectFactory)
    document = factory.SubFactory(DocumentFactory)
    label = factory.LazyAttribute(lambda a: project_label(a.project))
    start = 0
    end = 6
    quote = factory.LazyAttribute(lambda a: a.document.text[a.start : a.end])


class AnnotationFactory(_SpanFactory):
    class Meta:
        model = models.Annotation

    annotator = factory.SubFactory(UserFactory)


class GoldAnnotationFactory(_SpanFactory):
    class Meta:
        model = models.GoldAnnotation

    reviewer = factory.SubFactory(UserFactory)


class AnnotationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AnnotationEvent

    annotation_id = factory.Sequence(lambda n: n + 1)
    project = factory.SubFactory(ProjectFactory)
    document = factory.SubFactory(DocumentFactory)
    actor = factory.SubFactory(UserFactory)
    action = models.AnnotationEvent.Action.CREATE


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Comment

    project = factory.SubFactory(ProjectFactory)
    document = factory.SubFactory(DocumentFactory)
    author = factory.SubFactory(UserFactory)
    text = "Проверьте источник."
