"""Holders survive doccano and Label Studio: exported as span metadata (doccano: a
``holders`` list beside ``label``, cue in UTF-16 units; Label Studio: each region's
``meta``) and read back by ``import_annotations`` without loss."""

import json

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Annotation, GoldAnnotation
from tests.support import export_data, factories

pytestmark = pytest.mark.django_db

FIELDS = ("start", "end", "label__name", "holder_kind", "holder", "cue_start", "cue_end")


def spans(model, project, user_field):
    rows = model.objects.filter(project=project).values_list(user_field, *FIELDS)
    return sorted(rows, key=lambda row: (str(row[0]), *map(str, row[1:])))


@pytest.mark.parametrize(("fmt", "name"), [("doccano", "d.jsonl"), ("label-studio", "t.json")])
def test_export_and_import_keep_the_holders(tmp_path, fmt, name):
    data = export_data.build()
    export_data.follow_the_boundary_convention()
    out = tmp_path / name
    call_command(
        "export_dataset", "--project=export-test", f"--format={fmt}", f"--out={out}", verbosity=0
    )
    copy = factories.ProjectFactory(slug="copy")
    call_command("import_annotations", str(out), "--project=copy", verbosity=0)
    assert spans(Annotation, copy, "annotator__username") == spans(
        Annotation, data.project, "annotator__username"
    )
    assert spans(GoldAnnotation, copy, "reviewer__username") == spans(
        GoldAnnotation, data.project, "reviewer__username"
    )
    assert Annotation.objects.filter(project=copy, holder="Токаев", cue_start=26).exists()


def test_a_bad_holder_in_a_file_is_refused_and_nothing_is_written(tmp_path):
    data = export_data.build()
    out = tmp_path / "d.jsonl"
    call_command(
        "export_dataset", "--project=export-test", "--format=doccano", f"--out={out}", verbosity=0
    )
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    lines[0]["holders"][0] = ["author", "Токаев", None, None]
    out.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    copy = factories.ProjectFactory(slug="copy")
    message = "line 1, span 1: A passage in the author's own voice has no holder"
    with pytest.raises(CommandError, match=message):
        call_command("import_annotations", str(out), "--project=copy", verbosity=0)
    assert not Annotation.objects.filter(project=copy).exists()
    assert data.project.annotations.exists()
