"""The database's own check of the pass's state machine: a pass is born available (or assigned
when it replaces a lost one) and changes status only by a move of ``transitions.ALLOWED``.
Built from that table, so the two cannot differ (see ``passnum.common.triggers``)."""

from passnum.common.triggers import SEPARATOR, Trigger

from .models import Pass
from .transitions import ALLOWED, BORN, BORN_AS_REPLACEMENT

TABLE = Pass._meta.db_table
_PAIRS = ", ".join(f"'{before}>{after}'" for before, after in sorted(ALLOWED))
_BORN = ", ".join(f"'{status}'" for status in BORN)
BIRTH_REFUSED = "Un pass naît disponible, ou attribué s'il en remplace un"
MOVE_REFUSED = "Passage d'état interdit pour un pass"

POSTGRESQL = SEPARATOR.join(
    [
        f"""
CREATE OR REPLACE FUNCTION pass_check_move() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT (NEW.status IN ({_BORN})
                OR (NEW.status = '{BORN_AS_REPLACEMENT}' AND NEW.replaces_id IS NOT NULL)) THEN
            RAISE EXCEPTION '{BIRTH_REFUSED.replace("'", "''")} (statut « % »).', NEW.status
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF NEW.status <> OLD.status
          AND (OLD.status || '>' || NEW.status) NOT IN ({_PAIRS}) THEN
        RAISE EXCEPTION '{MOVE_REFUSED.replace("'", "''")} : % → % (pass %).',
            OLD.status, NEW.status, OLD.serial
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""",
        f"DROP TRIGGER IF EXISTS pass_moves ON {TABLE}",
        f"""
CREATE TRIGGER pass_moves BEFORE INSERT OR UPDATE OF status ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION pass_check_move()
""",
    ]
)

SQLITE = SEPARATOR.join(
    [
        "DROP TRIGGER IF EXISTS pass_moves_insert",
        f"""
CREATE TRIGGER pass_moves_insert BEFORE INSERT ON {TABLE}
WHEN NOT (NEW.status IN ({_BORN})
          OR (NEW.status = '{BORN_AS_REPLACEMENT}' AND NEW.replaces_id IS NOT NULL))
BEGIN
    SELECT RAISE(ABORT, '{BIRTH_REFUSED.replace("'", "''")}');
END
""",
        "DROP TRIGGER IF EXISTS pass_moves_update",
        f"""
CREATE TRIGGER pass_moves_update BEFORE UPDATE OF status ON {TABLE}
WHEN NEW.status <> OLD.status AND (OLD.status || '>' || NEW.status) NOT IN ({_PAIRS})
BEGIN
    SELECT RAISE(ABORT, '{MOVE_REFUSED.replace("'", "''")}');
END
""",
    ]
)

PASS_MOVES = Trigger("pass_moves", postgresql=POSTGRESQL, sqlite=SQLITE)
