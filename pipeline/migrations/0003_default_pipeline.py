"""A fresh install gets one pipeline, so deals can be created and imported at once.

The same stages as the demo's "New business" pipeline (the demo reuses it). Reversing removes
it only while no deal uses it.
"""

from django.db import migrations

NAME = "New business"
# (name, probability, rotting days, forecast category)
STAGES = [
    ("Qualification", 10, 14, "pipeline"),
    ("Discovery", 20, 21, "pipeline"),
    ("Proposal", 40, 21, "pipeline"),
    ("Negotiation", 60, 14, "best_case"),
    ("Commit", 80, 10, "commit"),
]


def create_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("pipeline", "Pipeline")
    Stage = apps.get_model("pipeline", "Stage")
    if Pipeline.objects.exists():
        return
    pipeline = Pipeline.objects.create(name=NAME, position=0)
    Stage.objects.bulk_create(
        [
            Stage(
                pipeline=pipeline,
                name=name,
                position=position,
                probability=probability,
                rotting_days=rotting,
                forecast_category=category,
            )
            for position, (name, probability, rotting, category) in enumerate(STAGES)
        ]
        + [
            Stage(
                pipeline=pipeline,
                name="Won",
                kind="won",
                position=1000,
                probability=100,
                forecast_category="closed",
            ),
            Stage(
                pipeline=pipeline,
                name="Lost",
                kind="lost",
                position=1001,
                probability=0,
                forecast_category="omitted",
            ),
        ]
    )


def remove_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("pipeline", "Pipeline")
    Deal = apps.get_model("pipeline", "Deal")
    pipeline = Pipeline.objects.filter(name=NAME).first()
    if pipeline is not None and not Deal.objects.filter(pipeline=pipeline).exists():
        pipeline.delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0002_catalogues_history_and_line_items")]

    operations = [migrations.RunPython(create_default_pipeline, remove_default_pipeline)]
