"""Database triggers for the rules that a check constraint cannot hold (a rule over the row's
previous state, or over another table).

Each domain app registers its triggers (``register``) when it is ready; they are (re)installed
after every ``migrate`` (``post_migrate``), on PostgreSQL and SQLite alike. Installing them from
the code rather than from a frozen migration keeps them equal to the tables of rules they are
built from (the pass's allowed moves), and puts them back when SQLite rebuilds a table during a
migration (a rebuild drops the table's triggers).
"""

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


def sqlite_names(connection) -> set[str]:
    """The triggers present in a SQLite database (for the tests)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}
