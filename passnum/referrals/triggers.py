"""The Département alone prescribes, in the database too: a prescription whose organisation is
not of the ``department`` kind cannot be written, even through the ORM (see
``passnum.common.triggers``)."""

from passnum.common.triggers import SEPARATOR, Trigger
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.models import Organisation

from .models import Prescription

TABLE = Prescription._meta.db_table
ORGANISATIONS = Organisation._meta.db_table
DEPARTMENT = OrganisationKind.DEPARTMENT.value
REFUSED = "Seul le Département peut prescrire un chéquier"

POSTGRESQL = SEPARATOR.join(
    [
        f"""
CREATE OR REPLACE FUNCTION prescription_by_department() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM {ORGANISATIONS} WHERE id = NEW.organisation_id AND kind = '{DEPARTMENT}'
    ) THEN
        RAISE EXCEPTION '{REFUSED} (structure n° %).', NEW.organisation_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""",
        f"DROP TRIGGER IF EXISTS prescription_by_department ON {TABLE}",
        f"""
CREATE TRIGGER prescription_by_department BEFORE INSERT OR UPDATE OF organisation_id ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION prescription_by_department()
""",
    ]
)

SQLITE = SEPARATOR.join(
    [
        "DROP TRIGGER IF EXISTS prescription_by_department_insert",
        f"""
CREATE TRIGGER prescription_by_department_insert BEFORE INSERT ON {TABLE}
WHEN NOT EXISTS (
    SELECT 1 FROM {ORGANISATIONS} WHERE id = NEW.organisation_id AND kind = '{DEPARTMENT}'
)
BEGIN
    SELECT RAISE(ABORT, '{REFUSED}');
END
""",
        "DROP TRIGGER IF EXISTS prescription_by_department_update",
        f"""
CREATE TRIGGER prescription_by_department_update BEFORE UPDATE OF organisation_id ON {TABLE}
WHEN NOT EXISTS (
    SELECT 1 FROM {ORGANISATIONS} WHERE id = NEW.organisation_id AND kind = '{DEPARTMENT}'
)
BEGIN
    SELECT RAISE(ABORT, '{REFUSED}');
END
""",
    ]
)

PRESCRIPTION_BY_DEPARTMENT = Trigger(
    "prescription_by_department", postgresql=POSTGRESQL, sqlite=SQLITE
)
