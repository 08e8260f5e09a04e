"""The registered triggers survive a migration that rebuilds a table on SQLite."""

import pytest
from django.db import connection

from passnum.common.triggers import (
    drop_before_migrate,
    install,
    install_after_migrate,
    registered,
    sqlite_names,
)
from passnum.organisations.models import Organisation

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite rebuilds tables; PostgreSQL alters them"
)


def rebuild(model) -> None:
    """What a migration altering a table does on SQLite: copy, drop, rename."""
    with connection.schema_editor() as editor:
        editor._remake_table(model)


@pytest.mark.django_db(transaction=True)
def test_a_migration_rebuilding_a_table_that_a_trigger_reads_goes_through():
    install(connection)
    assert "prescription_by_department_insert" in sqlite_names(connection)
    # The trigger on prescriptions reads the organisations: SQLite refuses the rebuild.
    with pytest.raises(Exception, match="prescription_by_department"):
        rebuild(Organisation)

    drop_before_migrate(sender=None, using="default")
    assert "prescription_by_department_insert" not in sqlite_names(connection)
    rebuild(Organisation)
    install_after_migrate(sender=None, using="default")

    names = sqlite_names(connection)
    for trigger in registered():
        for statement in trigger.statements("sqlite"):
            if statement.upper().startswith("CREATE TRIGGER"):
                assert statement.split()[2] in names
