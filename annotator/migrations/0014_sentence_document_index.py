# The sentence table's index on document_id alone duplicates the unique (document, index)
# index, which leads with the document: dropping it makes every import's sentence inserts
# cheaper. Only the index is dropped (on SQLite, AlterField would copy the whole table).

import django.db.models.deletion
from django.db import migrations, models


def _document_index(schema_editor, model):
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(
            cursor, model._meta.db_table
        )
    return [
        name
        for name, details in constraints.items()
        if details["index"] and not details["unique"] and details["columns"] == ["document_id"]
    ]


def drop_index(apps, schema_editor):
    model = apps.get_model("annotator", "Sentence")
    for name in _document_index(schema_editor, model):
        schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_index(apps, schema_editor):
    model = apps.get_model("annotator", "Sentence")
    if not _document_index(schema_editor, model):
        field = model._meta.get_field("document")
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):

    dependencies = [
        ('annotator', '0013_api_tokens_predictions'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='sentence',
                    name='document',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='sentences', to='annotator.document', verbose_name='document'),
                ),
            ],
            database_operations=[migrations.RunPython(drop_index, create_index)],
        ),
    ]
