"""The learned suggester on a synthetic project: it beats the majority class in
cross-validation, its output is reproducible with a seed, its files record the training
data, and it suggests through ``manage.py suggest --agent model``."""

import json
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Suggestion
from annotator.suggestions import learned, services, store
from annotator.suggestions.selectors import labelled_sentences
from tests.support import factories

SUBJECTS = ["Президент", "Министр", "Аким города", "Глава компании", "Депутат", "Посол"]
TOPICS = ["реформа", "проект", "новый закон", "соглашение", "программа", "стройка"]
TEMPLATES = {
    "fact": [
        "{s} прибыл в Астану {d} числа.",
        "{s} подписал соглашение о поставках {d} марта.",
        "Объём торговли составил {d} миллионов долларов.",
        "{s} провёл встречу с делегацией в {d} часов.",
    ],
    "opinion": [
        "{s} считает, что {t} очень важна для страны.",
        "По мнению экспертов, {t} провальная и позорная.",
        "{s} уверен, что {t} прекрасный шаг.",
        "На мой взгляд, {t} ужасная ошибка.",
    ],
    "speculation": [
        "Возможно, {t} изменится к {d} году.",
        "{s} может уйти в отставку после {d} дней.",
        "Не исключено, что {t} якобы провалится.",
        "Вероятно, {t} будет отложена на {d} лет.",
    ],
}


def synthetic_project(project, documents=10, sentences=12, seed=0):
    """Documents whose sentences one annotator labelled whole (half fact, a quarter each
    opinion and speculation)."""
    rng = random.Random(seed)
    user = factories.UserFactory()
    labels = {label.name: label for label in project.labels.all()}
    for n in range(documents):
        chosen = [rng.choice(["fact", "fact", "opinion", "speculation"]) for _ in range(sentences)]
        parts = [
            rng.choice(TEMPLATES[label]).format(
                s=rng.choice(SUBJECTS), t=rng.choice(TOPICS), d=rng.randint(2, 99)
            )
            for label in chosen
        ]
        document = factories.DocumentFactory(text=" ".join(parts) + f" Выпуск {n}.")
        factories.ProjectDocumentFactory(project=project, document=document)
        offset = 0
        for label, part in zip(chosen, parts, strict=True):
            factories.AnnotationFactory(
                project=project,
                document=document,
                annotator=user,
                label=labels[label],
                start=offset,
                end=offset + len(part),
            )
            offset += len(part) + 1
    return user


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.SUGGESTER_DIR = tmp_path
    return tmp_path


@pytest.fixture
def trained_project(project, model_dir):
    synthetic_project(project)
    return project


def test_it_beats_the_majority_class_in_cross_validation(trained_project):
    version, evaluation = services.suggester_train(project=trained_project, seed=3)
    assert version == 1
    assert evaluation.n == 10 * 13  # 12 labelled sentences and one unlabelled per document
    assert evaluation.baseline_label == "fact"
    assert evaluation.macro_f1 > evaluation.baseline_macro_f1 + 0.3
    assert evaluation.accuracy > evaluation.baseline_accuracy
    assert sum(map(sum, evaluation.confusion)) == evaluation.n
    assert [row[0] for row in evaluation.per_label] == evaluation.labels


def test_training_is_reproducible_with_a_seed_and_versions_grow(trained_project, model_dir):
    _, first = services.suggester_train(project=trained_project, seed=5)
    _, second = services.suggester_train(project=trained_project, seed=5)
    assert (first.per_label, first.confusion) == (second.per_label, second.confusion)
    assert store.versions(trained_project.slug) == [1, 2]
    record = json.loads((model_dir / trained_project.slug / "model-v2.json").read_text())
    assert record["seed"] == 5 and record["version"] == 2
    assert len(record["training"]) == first.n
    assert {row["coder"] for row in record["training"]} == {
        trained_project.annotations.first().annotator.username
    }


def test_suggest_with_the_model_is_reproducible(trained_project):
    services.suggester_train(project=trained_project, seed=5)
    first = [
        (s.start, s.label_id, s.score)
        for s in services.suggestions_run(project=trained_project, agents=["model"])
    ]
    services.suggester_train(project=trained_project, seed=5)
    second = [
        (s.start, s.label_id, s.score)
        for s in services.suggestions_run(project=trained_project, agents=["model"])
    ]
    assert first == second
    assert Suggestion.objects.filter(agent="model", agent_version="v2").count() == len(first)


def test_the_command_prints_the_evaluation_and_suggest_uses_the_model(trained_project):
    out = StringIO()
    call_command("train_suggester", "--project", trained_project.slug, stdout=out)
    text = out.getvalue()
    assert "model v1, trained on 130 labelled sentences" in text
    assert "macro-F1" in text and "majority-class baseline (fact)" in text
    assert "Confusion matrix (rows: labelled, columns: predicted)" in text
    out = StringIO()
    call_command("suggest", "--project", trained_project.slug, stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {row["agent"] for row in rows} == {"cues", "model"}
    opinion = next(r for r in rows if r["agent"] == "model" and "считает" in r["quote"])
    assert opinion["label"] == "opinion"


def test_gold_replaces_the_annotators_labels_of_its_document(project):
    user = factories.UserFactory()
    document = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=project, document=document)
    first = document.sentences.order_by("index").first()
    for model in (factories.AnnotationFactory, factories.GoldAnnotationFactory):
        extra = {"annotator": user} if model is factories.AnnotationFactory else {}
        model(
            project=project,
            document=document,
            label=project.labels.get(name="opinion" if extra else "fact"),
            start=first.start,
            end=first.end,
            **extra,
        )
    rows = labelled_sentences(project)
    assert {row.coder for row in rows} == {"gold"}
    assert rows[0].label == "fact"


def test_training_refuses_a_project_without_two_labels(project, model_dir):
    with pytest.raises(CommandError, match=f"Project {project.slug} has no labelled sentences"):
        call_command("train_suggester", "--project", project.slug, stdout=StringIO())
    assert store.versions(project.slug) == []


def test_a_trained_on_document_is_suggested_by_the_model_that_never_saw_it(trained_project):
    """Blindness: another annotator's label of a sentence must not come back as the
    suggestion for that very sentence."""
    odd = "Зелёный слон танцует вальс."
    document = factories.DocumentFactory(text=f"{odd} Выпуск особый.")
    factories.ProjectDocumentFactory(project=trained_project, document=document)
    factories.AnnotationFactory(
        project=trained_project,
        document=document,
        label=trained_project.labels.get(name="speculation"),
        start=0,
        end=len(odd),
    )
    services.suggester_train(project=trained_project, seed=5)
    _, bundle = store.load_latest(trained_project.slug)
    lex = services.project_lexicon(
        trained_project, {label.name: label for label in trained_project.labels.all()}
    )
    assert learned.predict(bundle["trained"].model, [odd], lex)[0][0] == "speculation"
    suggested = services.suggestions_run(
        project=trained_project, documents=[document], agents=["model"]
    )
    assert suggested[0].quote == odd
    assert suggested[0].label is None or suggested[0].label.name != "speculation"
