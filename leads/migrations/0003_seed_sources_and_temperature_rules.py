from django.db import migrations

SOURCES = [
    ("Referral", "referral"),
    ("Paid ads", "paid-ads"),
    ("Purchased list", "purchased-list"),
    ("Webinar", "webinar"),
    ("Trade show", "trade-show"),
    ("Event", "event"),
    ("Inbound / website", "inbound-website"),
    ("Blog / content", "blog-content"),
    ("Email campaign", "email-campaign"),
    ("Social / LinkedIn", "social-linkedin"),
    ("Networking", "networking"),
    ("Existing customer", "existing-customer"),
    ("Live chat / chatbot", "live-chat"),
    ("Re-engagement of closed-lost", "re-engagement"),
]

# timeframe -> (temperature, engaged_within_days that warms it one level)
RULES = [
    ("immediate", "hot", None),
    ("within_2_months", "warm", 14),
    ("later", "cold", 14),
    ("none", "cold", 7),
    ("unknown", "cold", 7),
]


def seed(apps, schema_editor):
    LeadSource = apps.get_model("leads", "LeadSource")
    TemperatureRule = apps.get_model("leads", "TemperatureRule")
    LeadSettings = apps.get_model("leads", "LeadSettings")
    for position, (name, slug) in enumerate(SOURCES):
        LeadSource.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
    for timeframe, temperature, days in RULES:
        TemperatureRule.objects.get_or_create(
            timeframe=timeframe,
            defaults={"temperature": temperature, "engaged_within_days": days},
        )
    LeadSettings.objects.get_or_create(pk=1)


def unseed(apps, schema_editor):
    apps.get_model("leads", "TemperatureRule").objects.all().delete()
    apps.get_model("leads", "LeadSettings").objects.all().delete()
    LeadSource = apps.get_model("leads", "LeadSource")
    LeadSource.objects.filter(slug__in=[s for _, s in SOURCES], leads__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_lifecycle_rules_dedupe")]

    operations = [migrations.RunPython(seed, unseed)]
