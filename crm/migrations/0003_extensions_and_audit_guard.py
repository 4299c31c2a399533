from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

# The audit log is append-only: the database itself refuses UPDATE and DELETE on it.
AUDIT_GUARD = """
CREATE OR REPLACE FUNCTION crm_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'crm_auditentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER crm_auditentry_append_only
    BEFORE UPDATE OR DELETE ON crm_auditentry
    FOR EACH ROW EXECUTE FUNCTION crm_audit_append_only();
"""

DROP_AUDIT_GUARD = """
DROP TRIGGER IF EXISTS crm_auditentry_append_only ON crm_auditentry;
DROP FUNCTION IF EXISTS crm_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_links_shares_audit")]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.RunSQL(AUDIT_GUARD, DROP_AUDIT_GUARD),
    ]
