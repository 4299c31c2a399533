from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0006_lead_converted_deal'),
        ('pipeline', '0003_default_pipeline'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='deal',
            name='source_lead',
        ),
    ]
