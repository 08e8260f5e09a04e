"""Database triggers for the rules that a check constraint cannot hold (a rule over the row's
previous state, or over another table).

Each domain app registers its triggers (``register``) when it is ready; they are (re)installed
after every ``migrate`` (``post_migrate``), on PostgreSQL and SQLite alike. Installing them from
the code rather than from a frozen migration keeps them equal to the tables of rules they are
built from (the pass's allowed moves). On SQLite they are dropped before a ``migrate``
(``pre_migrate``): SQLite alters a table by rebuilding it, which drops the table's own triggers
and fails on a trigger of another table that reads it.
"""

import re
from dataclasses import dataclass

from django.db import connections

_TRIGGERS: dict[str, "Trigger"] = {}


@dataclass(frozen=True)
class Trigger:
    """``postgresql`` and ``sqlite`` are complete scripts that (re)create the trigger, statements
    separated by ``;\\n--\\n`` (a PL/pgSQL body holds semicolons of its own)."""

    name: str
    postgresql: str
    sqlite: str

    def statements(self, vendor: str) -> list[str]:
        script = {"postgresql": self.postgresql, "sqlite": self.sqlite}.get(vendor, "")
        return [s.strip() for s in script.split(";\n--\n") if s.strip()]


SEPARATOR = ";\n--\n"


def register(trigger: Trigger) -> Trigger:
    _TRIGGERS[trigger.name] = trigger
    return trigger


def registered() -> list[Trigger]:
    return [_TRIGGERS[name] for name in sorted(_TRIGGERS)]


def install(connection) -> None:
    with connection.cursor() as cursor:
        for trigger in registered():
            for statement in trigger.statements(connection.vendor):
                cursor.execute(statement)


def install_after_migrate(sender, using, **kwargs) -> None:
    install(connections[using])


CREATED = re.compile(r"CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


def drop_before_migrate(sender, using, **kwargs) -> None:
    """SQLite only: drop the registered triggers before a ``migrate``. SQLite rebuilds a table
    to alter it (copy, drop, rename) and refuses to rename a table that a trigger of another
    table reads (« error in trigger …: no such table »); ``post_migrate`` puts them back."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for trigger in registered():
            for name in CREATED.findall(trigger.sqlite):
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def sqlite_names(connection) -> set[str]:
    """The triggers present in a SQLite database (for the tests)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}
