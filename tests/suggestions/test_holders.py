"""The holders suggester's rules on seed sentences (natasha's parse, offline), its
storage through ``manage.py suggest --agent holders``, and its background jobs."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from annotator.models import Suggestion
from annotator.suggestions import holders
from annotator.suggestions.tasks import holders_enqueue, suggest_holders_document
from annotator.text.sentences import sentence_spans

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def attributed(text: str) -> list[tuple[str, str, str, str]]:
    """``(sentence start, kind, holder, cue)`` of each attributed sentence."""
    found = holders.attribute(text, list(sentence_spans(text)))
    return [
        (text[a.start : a.end][:25], a.holder_kind, a.holder, text[a.cue_start : a.cue_end])
        for a in found
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a speech verb with its subject, a name in apposition (seed 003)
            "Президент Казахстана Касым-Жомарт Токаев считает, что для возведения АЭС "
            "необходим международный консорциум. Он полагает, что так безопаснее.",
            [
                ("Президент Казахстана Касы", "attributed", "Касым-Жомарт Токаев", "считает"),
                ("Он полагает, что так безо", "attributed", "Касым-Жомарт Токаев", "полагает"),
            ],
        ),
        (  # the surname alone is the person's fullest name in the document (seed 000)
            "Владимир Путин посетил Астану. Путин отметил, что Карабах не был признан Арменией.",
            [("Путин отметил, что Караба", "attributed", "Владимир Путин", "отметил")],
        ),
        (  # «по мнению X», the name in the nominative (seed 001)
            "По мнению казахстанского политика Амиржана Косанова, союзнические отношения "
            "с Казахстаном крайне важны для Путина.",
            [("По мнению казахстанского ", "attributed", "Амиржан Косанов", "По мнению")],
        ),
        (  # «— добавил он» after a quotation: the pronoun is the nearest person (seed 000)
            "При этом Путин отметил, что средства должны быть соразмерны целям. "
            "«Не исключаем возможность применения», — добавил он.",
            [
                ("При этом Путин отметил, ч", "attributed", "Путин", "отметил"),
                ("«Не исключаем возможность", "attributed", "Путин", "добавил"),
            ],
        ),
        (  # a colon introducing a quotation (seed 004)
            'Президент Казахстана Касым-Жомарт Токаев подчеркнул: "Стратегическое '
            'партнерство — это не просто фигура речи".',
            [("Президент Казахстана Касы", "attributed", "Касым-Жомарт Токаев", "подчеркнул")],
        ),
        (  # a description resolved to the person named before it (seed 002)
            "Директор Института Сергей Марков рассказал о перспективах. "
            "Политолог подчеркнул, что в России понимают сложности ее союзников.",
            [
                ("Директор Института Сергей", "attributed", "Сергей Марков", "рассказал"),
                ("Политолог подчеркнул, что", "attributed", "Сергей Марков", "подчеркнул"),
            ],
        ),
        (  # vague holders and «якобы» (seeds 003, 004)
            "Конечно же, как уже писали многие, будут обсуждаться вопросы энергетики. "
            "Некоторые наблюдатели отмечали, что регион якобы разворачивается на Запад. "
            "Несмотря на слухи, что якобы Казахстан развернулся к США, визит состоялся.",
            [
                ("Конечно же, как уже писал", "unclear", "многие", "писали"),
                ("Некоторые наблюдатели отм", "unclear", "Некоторые наблюдатели", "отмечали"),
                ("Несмотря на слухи, что як", "unclear", "", "якобы"),
            ],
        ),
        (  # the author's own voice: «мы можем предположить», «думается» (seed 003)
            "Мы можем предположить, что январские события были подготовкой. "
            "Думается, что в ответ президент Токаев может высказать миротворческие идеи.",
            [
                ("Мы можем предположить, чт", "author", "", "предположить"),
                ("Думается, что в ответ пре", "author", "", "Думается"),
            ],
        ),
        (  # an impersonal report has no holder (seed 000); a contract is not a report
            "Перед визитом сообщалось о возможности подписания соглашения. "
            "В итоге Россия единолично заключила договор на аренду Байконура.",
            [("Перед визитом сообщалось ", "unclear", "", "сообщалось")],
        ),
    ],
)
def test_reporting_constructions(text, expected):
    assert attributed(text) == expected


def test_a_quotation_over_several_sentences_takes_the_holder_of_its_closing_line():
    text = (SEEDS / "002_5030d34d68472ebf.txt").read_text(encoding="utf-8")
    found = {a.start: a for a in holders.attribute(text, list(sentence_spans(text)))}
    for phrase in ('"Ваша страна', "Российско-казахстанские отношения", "Уверен, что"):
        attribution = found[text.index(phrase)]
        assert (attribution.holder_kind, attribution.holder) == ("attributed", "Владимир Путин")
    inside = found[text.index("Во-вторых")]
    assert (inside.holder, text[inside.cue_start : inside.cue_end]) == ("Сергей Марков", "сказал")


def test_suggest_command_stores_holders_with_the_shared_keys(project, seed_document):
    out = StringIO()
    call_command("suggest", "--project", project.slug, "--agent", "holders", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    tokayev = next(r for r in rows if r["quote"].startswith("Президент Казахстана"))
    assert tokayev["agent"] == "holders" and tokayev["label"] is None
    assert (tokayev["holder_kind"], tokayev["holder"]) == ("attributed", "Касым-Жомарт Токаев")
    assert seed_document.text[tokayev["cue_start"] : tokayev["cue_end"]] == "считает"
    stored = Suggestion.objects.filter(agent="holders")
    assert stored.count() == len(rows)
    assert set(stored.values_list("agent_version", flat=True)) == {holders.AGENT_VERSION}


def test_import_queues_one_holders_job_per_new_document(project, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    from annotator.datasets.imports.documents import import_paths

    (tmp_path / "a.txt").write_text("Путин отметил, что всё хорошо.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Токаев считает иначе.", encoding="utf-8")
    with pytest.MonkeyPatch.context():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            report = import_paths([tmp_path], project=project, default_source="Тест")
    jobs = default_task_backend.results
    assert sorted(job.args[1] for job in jobs) == sorted(d.pk for d in report.added)
    assert {job.task.name for job in jobs} == {suggest_holders_document.name}


def test_imports_into_a_project_with_suggestions_off_queue_no_holders(project, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    project.suggestions_enabled = False
    assert holders_enqueue(project=project, document_ids=[1, 2]) == 0
    assert default_task_backend.results == []
    assert holders_enqueue(project=project) == 1  # the manager's explicit request


def test_without_a_worker_nothing_is_queued_nor_run_in_process(project, seed_document):
    assert holders_enqueue(project=project, document_ids=[seed_document.pk]) == 0
    assert not Suggestion.objects.exists()


def test_the_job_stores_a_documents_holders(project, seed_document):
    stored = suggest_holders_document.call(project.pk, seed_document.pk)
    assert stored == Suggestion.objects.filter(agent="holders", document=seed_document).count()
    assert stored > 0


def test_admin_action_queues_a_projects_holders_only_with_a_worker(admin_client, project, settings):
    from django.urls import reverse

    url = reverse("admin:annotator_project_changelist")
    data = {"action": "suggest_holders", "_selected_action": [project.pk]}
    response = admin_client.post(url, data, follow=True)
    assert "No task worker is configured" in response.content.decode()
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    response = admin_client.post(url, data, follow=True)
    assert "Holders queued for 1 project." in response.content.decode()
    jobs = suggest_holders_document.get_backend().results
    assert [job.args for job in jobs] == [[project.pk]]
