"""Plain-SQL writes built from a model's own fields, for the hot path of redemption.

There, the ORM's query compiler cost more than the database itself (about 0.25 ms of Python
per statement against 0.1 ms of PostgreSQL; see ``bench/redeem.py``). These helpers write the
statement directly from the model's table, its columns and each field's own preparation of
values (``pre_save``, then ``get_db_prep_save``): they send what ``bulk_create`` and
``QuerySet.update`` would send, on SQLite and PostgreSQL alike. Like them, they call no
``save()`` and send no signal. Everywhere else, use the ORM.

Limits, checked: no batching (a redemption writes a handful of rows), no ``db_default``,
generated field or non-automatic primary key (no model written here has one).
"""

from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from psycopg import ClientCursor


@dataclass
class Statement:
    sql: str
    params: list
    # Unsaved instances that this statement writes: marked as saved once it has run.
    writes: list = field(default_factory=list)


def insert_statement(objs) -> Statement:
    """The INSERT of the unsaved instances ``objs`` (of one model) in one statement, with
    their primary keys if they have them.

    As in ``bulk_create``, a related object must have been saved before (``ValueError``
    otherwise), and one saved after it was assigned is taken with its new key.
    """
    if not objs:
        raise ValueError("Rien à insérer.")
    connection = _connection()
    model = type(objs[0])
    meta = model._meta
    if meta.pk.db_returning is False or any(
        f.generated or f.has_db_default() for f in meta.concrete_fields
    ):
        raise ValueError(f"{meta.label} : modèle non pris en charge par passnum.common.sql.")
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")
    quote = connection.ops.quote_name
    # The primary key is written when the instances have one (a key reserved beforehand),
    # else the database gives it.
    with_pk = objs[0].pk is not None
    if any((obj.pk is not None) != with_pk for obj in objs):
        raise ValueError("Toutes les lignes ou aucune doivent avoir leur clé.")
    fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return Statement(
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * len(objs))}",
        [
            field.get_db_prep_save(field.pre_save(obj, add=True), connection)
            for obj in objs
            for field in fields
        ],
        list(objs),
    )


def update_statement(model, pks, **values) -> Statement:
    """The UPDATE of the rows of ``model`` whose primary keys are ``pks``. ``values`` maps
    field names to values as the column stores them (a foreign key by its ``…_id`` name and
    a primary key)."""
    if not pks or not values:
        raise ValueError("Rien à mettre à jour.")
    connection = _connection()
    meta = model._meta
    quote = connection.ops.quote_name
    assignments, params = [], []
    for name, value in values.items():
        target = meta.get_field(name)
        if target.is_relation and name != target.attname:
            raise ValueError(f"Donnez la clé étrangère par sa colonne : {target.attname}.")
        assignments.append(f"{quote(target.column)} = %s")
        params.append(target.get_db_prep_save(value, connection))
    params += [meta.pk.get_db_prep_value(pk, connection) for pk in pks]
    return Statement(
        f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "
        f"WHERE {quote(meta.pk.column)} IN ({', '.join(['%s'] * len(pks))})",
        params,
    )


def insert_returning_pk(obj) -> None:
    """INSERT one unsaved instance and set its primary key (``RETURNING``: SQLite 3.35 and
    later, PostgreSQL)."""
    statement = insert_statement([obj])
    connection = _connection()
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"{statement.sql} RETURNING {connection.ops.quote_name(obj._meta.pk.column)}",
            statement.params,
        )
        obj.pk = cursor.fetchone()[0]
    _saved(statement)


def execute(statements: list[Statement]) -> None:
    """Run ``statements`` in order, all or nothing (in the current transaction, or in one of
    their own): in one round trip where the driver allows it (psycopg's client-side binding,
    Django's default on PostgreSQL, sends several statements in one query), one by one
    elsewhere (SQLite, or server-side binding)."""
    connection = _connection()
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and _binds_client_side(cursor):
            cursor.execute(
                "; ".join(s.sql for s in statements), [p for s in statements for p in s.params]
            )
        else:
            for statement in statements:
                cursor.execute(statement.sql, statement.params)
    for statement in statements:
        _saved(statement)


def _connection():
    """The database wrapper itself: ``django.db.connection`` is a proxy that looks the wrapper
    up (a thread-local) at each use, and values are prepared a few dozen times per statement."""
    return connections[DEFAULT_DB_ALIAS]


def _saved(statement: Statement) -> None:
    for obj in statement.writes:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS


def _binds_client_side(cursor) -> bool:
    return isinstance(cursor.cursor, ClientCursor)
