"""Plain-SQL writes built from a model's own fields, for the hot path of redemption.

There, the ORM's query compiler cost more than the database itself (about 0.25 ms of Python
per statement against 0.1 ms of PostgreSQL; see ``bench/redeem.py``). These helpers write the
statement directly from the model's table, its columns and each field's own preparation of
values (``pre_save``, then ``get_db_prep_save``): they send what ``bulk_create`` and
``QuerySet.update`` would send, on SQLite and PostgreSQL alike. Like them, they call no
``save()`` and send no signal. Everywhere else, use the ORM.
"""

from django.db import connection


def insert_statement(objs, *, returning_pk: bool = False) -> tuple[str, list]:
    """The INSERT of the unsaved instances ``objs`` (of one model) in one statement, and its
    parameters; with ``returning_pk``, it returns their primary keys."""
    meta = type(objs[0])._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES {', '.join([row] * len(objs))}"
    )
    if returning_pk:
        sql += f" RETURNING {quote(meta.pk.column)}"
    params = [
        field.get_db_prep_save(field.pre_save(obj, add=True), connection)
        for obj in objs
        for field in fields
    ]
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return sql, params


def update_statement(model, pks, **values) -> tuple[str, list]:
    """The UPDATE of the rows of ``model`` whose primary keys are ``pks`` (``values`` maps
    field names to new values), and its parameters."""
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in values]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    params += [meta.pk.get_db_prep_value(pk, connection) for pk in pks]
    return (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "
        f"WHERE {quote(meta.pk.column)} IN ({', '.join(['%s'] * len(pks))})",
        params,
    )


def insert_returning_pk(obj) -> None:
    """INSERT one unsaved instance and set its primary key (``RETURNING``: SQLite 3.35 and
    later, PostgreSQL)."""
    sql, params = insert_statement([obj], returning_pk=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]


def execute(statements: list[tuple[str, list]]) -> None:
    """Run ``statements`` in order: in one round trip on PostgreSQL (psycopg's client-side
    binding, Django's default, sends several statements in one query), one by one elsewhere."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "; ".join(sql for sql, _ in statements),
                [param for _, params in statements for param in params],
            )
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
