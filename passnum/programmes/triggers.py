"""The engineering share holds in the database too: the engineering expenses of a programme never
add up beyond its ``engineering_cents``, whatever writes them (the service, the ORM, plain SQL),
and the share never drops below what was spent from it (see ``passnum.common.triggers``).

On PostgreSQL the expense's trigger locks the programme's row (``FOR NO KEY UPDATE``, as
``lock_programme`` does with ``FOR UPDATE``): two expenses written at once by two transactions
are summed one after the other, and the second sees the first.
"""

from passnum.common.triggers import SEPARATOR, Trigger

from .models import EngineeringExpense, Programme

TABLE = EngineeringExpense._meta.db_table
PROGRAMMES = Programme._meta.db_table
EXCEEDED = "Les dépenses d''ingénierie dépasseraient la part ingénierie du programme"
BELOW_SPENT = (
    "La part ingénierie ne peut pas être inférieure aux dépenses d''ingénierie enregistrées"
)

POSTGRESQL = SEPARATOR.join(
    [
        f"""
CREATE OR REPLACE FUNCTION engineering_within_share() RETURNS trigger AS $$
DECLARE
    share bigint;
    spent numeric;
BEGIN
    SELECT engineering_cents INTO share FROM {PROGRAMMES}
        WHERE id = NEW.programme_id FOR NO KEY UPDATE;
    SELECT COALESCE(SUM(amount_cents), 0) INTO spent FROM {TABLE}
        WHERE programme_id = NEW.programme_id AND id IS DISTINCT FROM NEW.id;
    IF spent + NEW.amount_cents > share THEN
        RAISE EXCEPTION '{EXCEEDED} : % + % > % centimes (programme n° %).',
            spent, NEW.amount_cents, share, NEW.programme_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""",
        f"DROP TRIGGER IF EXISTS engineering_within_share ON {TABLE}",
        f"""
CREATE TRIGGER engineering_within_share
    BEFORE INSERT OR UPDATE OF amount_cents, programme_id ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION engineering_within_share()
""",
        f"""
CREATE OR REPLACE FUNCTION engineering_share_above_spent() RETURNS trigger AS $$
DECLARE
    spent numeric;
BEGIN
    SELECT COALESCE(SUM(amount_cents), 0) INTO spent FROM {TABLE} WHERE programme_id = NEW.id;
    IF spent > NEW.engineering_cents THEN
        RAISE EXCEPTION '{BELOW_SPENT} : % > % centimes (programme n° %).',
            spent, NEW.engineering_cents, NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""",
        f"DROP TRIGGER IF EXISTS engineering_share_above_spent ON {PROGRAMMES}",
        f"""
CREATE TRIGGER engineering_share_above_spent
    BEFORE UPDATE OF engineering_cents ON {PROGRAMMES}
    FOR EACH ROW WHEN (NEW.engineering_cents < OLD.engineering_cents)
    EXECUTE FUNCTION engineering_share_above_spent()
""",
    ]
)

# SQLite writes one transaction at a time: no lock to take.
_SPENT_BESIDE = f"""(
    SELECT COALESCE(SUM(amount_cents), 0) FROM {TABLE}
    WHERE programme_id = NEW.programme_id AND id IS NOT NEW.id
)"""
_SHARE = f"(SELECT engineering_cents FROM {PROGRAMMES} WHERE id = NEW.programme_id)"

SQLITE = SEPARATOR.join(
    [
        "DROP TRIGGER IF EXISTS engineering_within_share_insert",
        f"""
CREATE TRIGGER engineering_within_share_insert BEFORE INSERT ON {TABLE}
WHEN {_SPENT_BESIDE} + NEW.amount_cents > {_SHARE}
BEGIN
    SELECT RAISE(ABORT, '{EXCEEDED}');
END
""",
        "DROP TRIGGER IF EXISTS engineering_within_share_update",
        f"""
CREATE TRIGGER engineering_within_share_update
BEFORE UPDATE OF amount_cents, programme_id ON {TABLE}
WHEN {_SPENT_BESIDE} + NEW.amount_cents > {_SHARE}
BEGIN
    SELECT RAISE(ABORT, '{EXCEEDED}');
END
""",
        "DROP TRIGGER IF EXISTS engineering_share_above_spent",
        f"""
CREATE TRIGGER engineering_share_above_spent BEFORE UPDATE OF engineering_cents ON {PROGRAMMES}
WHEN NEW.engineering_cents < OLD.engineering_cents
 AND (SELECT COALESCE(SUM(amount_cents), 0) FROM {TABLE} WHERE programme_id = NEW.id)
     > NEW.engineering_cents
BEGIN
    SELECT RAISE(ABORT, '{BELOW_SPENT}');
END
""",
    ]
)

ENGINEERING_WITHIN_SHARE = Trigger(
    "engineering_within_share", postgresql=POSTGRESQL, sqlite=SQLITE
)
