"""The pass's state machine: one table of moves, the status on a day, moves journaled with their
real ``before``, and the database refusing any other change — plus a reading of the code that
makes sure no module but ``transitions`` writes a pass's status."""

import ast
import datetime
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

import passnum
from passnum.common.triggers import sqlite_names
from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes import transitions
from passnum.passes.enums import PassStatus
from passnum.passes.expiry import expire_passes
from passnum.passes.models import Pass
from passnum.passes.services import generate_passes
from passnum.referrals.services import prescribe
from tests.factories import ReferralFactory

S = PassStatus
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def department(make_actor):
    return make_actor(OrganisationKind.DEPARTMENT)


@pytest.fixture
def checkbook(programme, department):
    generate_passes(programme, 10, today=TODAY)
    referral = ReferralFactory(beneficiary__programme=programme)
    return prescribe(department, referral, today=TODAY).checkbook


def test_the_table_of_moves():
    assert {
        (S.AVAILABLE, S.ASSIGNED),
        (S.AVAILABLE, S.EXPIRED),
        (S.ASSIGNED, S.CANCELLED),
        (S.ASSIGNED, S.EXPIRED),
        (S.ASSIGNED, S.REDEEMED),
        (S.REDEEMED, S.ASSIGNED),
        (S.REDEEMED, S.EXPIRED),
        (S.REDEEMED, S.REIMBURSED),
    } == transitions.ALLOWED
    terminal = {S.REIMBURSED, S.EXPIRED, S.CANCELLED}
    assert not {before for before, _ in transitions.ALLOWED} & terminal


def test_status_on_a_day_counts_the_programme_grace(checkbook):
    pass_ = checkbook.passes.first()
    end = pass_.expires_on
    assert transitions.status_on(pass_, end, 30) == S.ASSIGNED
    assert transitions.status_on(pass_, end + datetime.timedelta(days=30), 30) == S.ASSIGNED
    assert transitions.status_on(pass_, end + datetime.timedelta(days=31), 30) == S.EXPIRED
    assert transitions.status_on(pass_, end + datetime.timedelta(days=1), 0) == S.EXPIRED
    assert transitions.usable_for_new_session(pass_, end)
    assert not transitions.usable_for_new_session(pass_, end + datetime.timedelta(days=1))


def test_the_query_filter_agrees_with_usable_for_new_session(checkbook):
    """``usable_for_new_session_q`` (the « Pass non utilisés » list) is the same rule."""
    passes = list(checkbook.passes.order_by("pk"))
    transitions_of = [S.ASSIGNED, S.REDEEMED, S.CANCELLED, S.EXPIRED, S.ASSIGNED]
    for pass_, status in zip(passes, transitions_of, strict=True):
        Pass.objects.filter(pk=pass_.pk).update(status=status)
    end = passes[0].expires_on
    for day in (end - datetime.timedelta(days=1), end, end + datetime.timedelta(days=1)):
        in_sql = set(
            checkbook.passes.filter(transitions.usable_for_new_session_q(day)).values_list(
                "pk", flat=True
            )
        )
        in_python = {
            p.pk
            for p in Pass.objects.filter(checkbook=checkbook)
            if transitions.usable_for_new_session(p, day)
        }
        assert in_sql == in_python
    assert len(in_sql) == 0
    assert checkbook.passes.filter(transitions.usable_for_new_session_q(end)).count() == 2


def test_a_move_is_journaled_with_the_status_it_left(department, checkbook):
    passes = list(checkbook.passes.order_by("pk")[:2])
    with transaction.atomic():
        locked = list(Pass.objects.select_for_update().filter(pk__in=[p.pk for p in passes]))
        transitions.move_passes(department, locked, transitions.CANCEL, reason="Perdu")
    entries = JournalEntry.objects.filter(action="cancelled").select_related("note")
    assert {(e.subject_id, e.before, e.after, e.reason) for e in entries} == {
        (p.pk, "assigned", "cancelled", "Perdu") for p in passes
    }
    assert set(
        Pass.objects.filter(pk__in=[p.pk for p in passes]).values_list("status", flat=True)
    ) == {"cancelled"}


def test_a_move_from_a_wrong_status_is_refused_and_changes_nothing(department, checkbook):
    pass_ = checkbook.passes.first()
    with pytest.raises(transitions.IllegalMove), transaction.atomic():
        transitions.move_passes(department, [pass_], transitions.REIMBURSE)
    pass_.refresh_from_db()
    assert pass_.status == S.ASSIGNED
    assert not JournalEntry.objects.filter(action="reimbursed").exists()


def test_a_stale_pass_is_not_moved(department, checkbook):
    """Read as assigned, moved since by someone else: the guarded update moves nothing and the
    journal does not lie about the ``before``."""
    pass_ = checkbook.passes.first()
    Pass.objects.filter(pk=pass_.pk).update(status=S.CANCELLED)  # behind the instance's back
    with pytest.raises(transitions.IllegalMove), transaction.atomic():
        transitions.move_passes(department, [pass_], transitions.EXPIRE)
    assert Pass.objects.get(pk=pass_.pk).status == S.CANCELLED
    assert not JournalEntry.objects.filter(action="expired").exists()


# The database itself ---------------------------------------------------------------------


def test_the_database_refuses_a_move_outside_the_table(checkbook):
    pass_ = checkbook.passes.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Pass.objects.filter(pk=pass_.pk).update(status=S.REIMBURSED)  # assigned → reimbursed
    table = Pass._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = %s WHERE id = %s", ["available", pass_.pk])
    assert Pass.objects.get(pk=pass_.pk).status == S.ASSIGNED


def test_the_database_refuses_a_way_back_from_an_end(checkbook):
    pass_ = checkbook.passes.first()
    Pass.objects.filter(pk=pass_.pk).update(status=S.CANCELLED)
    for status in (S.ASSIGNED, S.AVAILABLE, S.REDEEMED):
        with pytest.raises(IntegrityError), transaction.atomic():
            Pass.objects.filter(pk=pass_.pk).update(status=status)
    assert Pass.objects.get(pk=pass_.pk).status == S.CANCELLED


def test_the_database_accepts_every_move_of_the_table_and_other_updates(checkbook):
    pass_ = checkbook.passes.first()
    for after in (S.REDEEMED, S.ASSIGNED, S.REDEEMED, S.REIMBURSED):
        Pass.objects.filter(pk=pass_.pk).update(status=after)
    Pass.objects.filter(pk=pass_.pk).update(updated_at=datetime.datetime.now(datetime.UTC))
    assert Pass.objects.get(pk=pass_.pk).status == S.REIMBURSED


def test_the_database_refuses_a_pass_born_used(programme, checkbook):
    template = checkbook.passes.first()
    born = Pass(
        programme=programme,
        serial="48-2026-999999",
        code_digest="x" * 64,
        code_encrypted="x",
        value_cents=1000,
        status=S.REDEEMED,
        checkbook=checkbook,
        expires_on=template.expires_on,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        born.save()
    born.status = S.ASSIGNED  # assigned only as a replacement
    with pytest.raises(IntegrityError), transaction.atomic():
        born.save()
    assert not Pass.objects.filter(serial="48-2026-999999").exists()


def test_the_triggers_are_installed(db):
    if connection.vendor == "sqlite":
        assert {
            "pass_moves_insert",
            "pass_moves_update",
            "prescription_by_department_insert",
            "prescription_by_department_update",
        } <= sqlite_names(connection)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            names = {row[0] for row in cursor.fetchall()}
        assert {"pass_moves", "prescription_by_department", "journal_append_only"} <= names


# Programme settings ------------------------------------------------------------------------


def test_expiry_follows_each_programme_grace(programme, checkbook):
    end = checkbook.expires_on
    programme.redemption_grace_days = 5
    programme.save(update_fields=["redemption_grace_days"])
    assert expire_passes(end + datetime.timedelta(days=5)).expired == 0
    assert expire_passes(end + datetime.timedelta(days=6)).expired == 5
    entries = JournalEntry.objects.filter(action="expired")
    assert {(e.before, e.after) for e in entries} == {("assigned", "expired")}


def test_a_programme_cannot_set_a_grace_beyond_a_year(programme):
    programme.redemption_grace_days = 366
    with pytest.raises(IntegrityError), transaction.atomic():
        programme.save()


# Only ``transitions`` writes a pass's status ----------------------------------------------

ALLOWED_WRITER = Path(passnum.__file__).parent / "passes" / "transitions.py"


def _mentions_pass_status(node) -> bool:
    return any(
        isinstance(n, ast.Attribute)
        and isinstance(n.value, ast.Name)
        and n.value.id == "PassStatus"
        for n in ast.walk(node)
    )


def _names_pass(node) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "Pass" for n in ast.walk(node))


def _names_status_of_pass(call) -> bool:
    named = "status" in {k.arg for k in call.keywords} or any(
        isinstance(c, ast.Constant) and c.value == "status" for a in call.args for c in ast.walk(a)
    )
    return named and _names_pass(call)


def status_writes(tree) -> list[int]:
    """Lines that write a pass's status: ``x.status = PassStatus…``; ``….update(status=
    PassStatus…)``; ``bulk_update``/``update_statement`` of ``Pass`` naming ``status``; a
    ``Pass(…, status=…)`` born with a status."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets) and (
                _mentions_pass_status(node.value)
            ):
                found.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        name = (
            node.func.attr
            if isinstance(node.func, ast.Attribute)
            else getattr(node.func, "id", "")
        )
        keywords = {k.arg: k.value for k in node.keywords}
        if name == "update" and "status" in keywords and _mentions_pass_status(keywords["status"]):
            found.append(node.lineno)
        if name in ("bulk_update", "update_statement") and _names_status_of_pass(node):
            found.append(node.lineno)
        if name == "Pass" and "status" in keywords:
            found.append(node.lineno)
    return found


def test_the_scan_finds_the_ways_of_writing_a_status():
    """The reader below is only as good as what it recognises: each of these is found."""
    samples = [
        "p.status = PassStatus.EXPIRED",
        "Pass.objects.filter(pk=1).update(status=PassStatus.REDEEMED)",
        "Pass.objects.bulk_update(passes, ['status', 'updated_at'])",
        "sql.update_statement(Pass, pks, status=PassStatus.REDEEMED)",
        "Pass(serial='x', status=PassStatus.ASSIGNED)",
    ]
    for sample in samples:
        assert status_writes(ast.parse(sample)) == [1], sample
    others = [
        "referral.status = ReferralStatus.PRESCRIBED",
        "Statement.objects.filter(pk=1).update(status=StatementStatus.PAID)",
        "Pass.objects.filter(status=PassStatus.ASSIGNED)",
    ]
    for sample in others:
        assert status_writes(ast.parse(sample)) == [], sample


def test_only_transitions_writes_a_pass_status():
    root = Path(passnum.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path == ALLOWED_WRITER or "migrations" in path.parts:
            continue
        for line in status_writes(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(root)}:{line}")
    assert offenders == []
