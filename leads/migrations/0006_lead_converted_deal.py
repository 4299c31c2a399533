"""The lead -> deal link moves onto the lead (`Lead.converted_deal`), so pipeline never
depends on leads. Data: each lead gets the earliest deal that named it as its source."""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
UPDATE leads_lead AS l SET converted_deal_id = d.id
FROM (
    SELECT DISTINCT ON (source_lead_id) id, source_lead_id FROM pipeline_deal
    WHERE source_lead_id IS NOT NULL
    ORDER BY source_lead_id, created_at, id
) AS d
WHERE l.id = d.source_lead_id;
SET CONSTRAINTS ALL IMMEDIATE;
"""

BACKWARD = """
UPDATE pipeline_deal AS d SET source_lead_id = l.id
FROM leads_lead AS l
WHERE l.converted_deal_id = d.id;
SET CONSTRAINTS ALL IMMEDIATE;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0005_source_score_index'),
        ('pipeline', '0002_catalogues_history_and_line_items'),
    ]

    operations = [
        migrations.AddField(
            model_name='lead',
            name='converted_deal',
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name='source_leads',
                to='pipeline.deal',
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
