"""The pass ledger: keys of the codes, generation within the budget, cancel and replace."""

from datetime import date, timedelta

import pytest
from cryptography.fernet import InvalidToken
from django.db import connection

from passnum.common.exceptions import InvalidInput, NotAllowed
from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes, keys
from passnum.passes.enums import PassSource, PassStatus
from passnum.passes.exceptions import PassNotUnused, StockLimitExceeded
from passnum.passes.models import Checkbook, Pass
from passnum.passes.selectors import budget_for, ledger_of
from passnum.passes.services import cancel_and_replace, generate_passes, record_printing
from passnum.referrals.services import prescribe
from tests.factories import OrganisationFactory, ProgrammeFactory, ReferralFactory

TODAY = date(2026, 3, 2)


def small_programme(passes: int, **fields):
    """A programme whose pass budget buys exactly ``passes`` passes of 10 €."""
    return ProgrammeFactory(
        envelope_cents=passes * 10_00 + 10_00, engineering_cents=10_00, **fields
    )


def snapshot(programme):
    """Everything a refused operation must leave unchanged."""
    return {
        "passes": list(
            Pass.objects.order_by("pk").values_list(
                "pk", "serial", "status", "checkbook_id", "expires_on", "replaces_id"
            )
        ),
        "checkbooks": Checkbook.objects.count(),
        "journal": JournalEntry.objects.count(),
        "budget": budget_for(programme),
    }


# Keys: the code is never in the database ---------------------------------------------------


def test_digest_is_stable_and_distinguishes_codes():
    code, other = codes.generate(), codes.generate()
    assert keys.digest(code) == keys.digest(code)
    assert keys.digest(code) != keys.digest(other)
    assert len(keys.digest(code)) == 64
    assert code not in keys.digest(code)


def test_digest_and_encryption_depend_on_the_key(settings):
    code = "K7QM9T2DXH47"
    settings.PASSNUM_CODES_KEY = "première-clé"
    first_digest, token = keys.digest(code), keys.encrypt(code)
    assert keys.decrypt(token) == code
    settings.PASSNUM_CODES_KEY = "seconde-clé"
    assert keys.digest(code) != first_digest
    with pytest.raises(InvalidToken):
        keys.decrypt(token)  # a copy of the database without the key reveals no code
    settings.PASSNUM_CODES_KEY = "première-clé"
    assert keys.digest(code) == first_digest
    assert keys.decrypt(token) == code


def test_encrypt_decrypt_round_trip_and_randomised():
    code = codes.generate()
    first, second = keys.encrypt(code), keys.encrypt(code)
    assert first != second
    assert code not in first
    assert code not in second
    assert keys.decrypt(first) == keys.decrypt(second) == code


def test_stored_pass_row_holds_no_code_in_clear(programme):
    passes = generate_passes(programme, 3, today=TODAY)
    columns = [f.column for f in Pass._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {Pass._meta.db_table} WHERE id IN (%s, %s, %s)",
            [p.pk for p in passes],
        )
        rows = cursor.fetchall()
    assert len(rows) == 3
    for pass_ in passes:
        code = keys.decrypt(pass_.code_encrypted)
        assert codes.is_valid(code)
        assert pass_.code_digest == keys.digest(code)
        forms = {code, codes.display(code), code.lower(), codes.display(code).lower()}
        for row in rows:
            for value in row:
                assert not any(form in str(value) for form in forms), value


# Generation ----------------------------------------------------------------------------------


def test_generated_serials_are_sequential_and_continue(programme):
    first = generate_passes(programme, 3, today=TODAY)
    second = generate_passes(programme, 2, today=TODAY)
    assert [p.serial for p in first + second] == [
        "48-2026-000001",
        "48-2026-000002",
        "48-2026-000003",
        "48-2026-000004",
        "48-2026-000005",
    ]
    stored = Pass.objects.filter(programme=programme)
    assert stored.count() == 5
    assert set(stored.values_list("status", flat=True)) == {PassStatus.AVAILABLE}
    assert set(stored.values_list("source", flat=True)) == {PassSource.GENERATED}
    assert set(stored.values_list("value_cents", flat=True)) == {10_00}
    assert set(stored.values_list("checkbook", flat=True)) == {None}


def test_a_new_year_starts_a_new_sequence(programme):
    generate_passes(programme, 2, today=TODAY)
    [next_year] = generate_passes(programme, 1, today=date(2027, 1, 4))
    assert next_year.serial == "48-2027-000001"


def test_generated_codes_are_unique_and_valid(programme):
    passes = generate_passes(programme, 50, today=TODAY)
    plain = [keys.decrypt(p.code_encrypted) for p in Pass.objects.filter(programme=programme)]
    assert len(plain) == 50
    assert len(set(plain)) == 50
    assert all(codes.is_valid(code) for code in plain)
    assert len({p.code_digest for p in passes}) == 50


def test_generation_is_journaled_once_per_pass(programme):
    passes = generate_passes(programme, 4, today=TODAY)
    entries = JournalEntry.objects.filter(action="generated")
    assert entries.count() == 4
    assert {e.subject_id for e in entries} == {p.pk for p in passes}
    assert {(e.subject_type, e.after, e.user_id, e.programme_id) for e in entries} == {
        ("pass", PassStatus.AVAILABLE, None, programme.pk)
    }


def test_generation_by_the_operator_is_journaled_with_its_name(programme, make_actor):
    operator = make_actor(OrganisationKind.OPERATOR)
    generate_passes(programme, 2, actor=operator, today=TODAY)
    entries = JournalEntry.objects.filter(action="generated")
    assert {(e.user_id, e.organisation_id) for e in entries} == {
        (operator.user.pk, operator.organisation.pk)
    }


@pytest.mark.parametrize(
    "kind", [OrganisationKind.REFERRER, OrganisationKind.DEPARTMENT, OrganisationKind.PROVIDER]
)
def test_only_the_operator_generates_passes(programme, make_actor, kind):
    with pytest.raises(NotAllowed):
        generate_passes(programme, 1, actor=make_actor(kind), today=TODAY)
    assert not Pass.objects.exists()


@pytest.mark.parametrize("count", [0, -1, "3", 2.0, None])
def test_count_must_be_a_positive_integer(programme, count):
    with pytest.raises(InvalidInput):
        generate_passes(programme, count, today=TODAY)
    assert not Pass.objects.exists()
    assert not JournalEntry.objects.exists()


def test_the_lozere_budget_buys_3600_passes(programme):
    with pytest.raises(StockLimitExceeded) as excinfo:
        generate_passes(programme, 3601, today=TODAY)
    assert "3600" in excinfo.value.message
    assert not Pass.objects.exists()


def test_generation_stops_at_what_the_budget_buys(db):
    programme = small_programme(10)
    assert budget_for(programme).passes_total == 10
    with pytest.raises(StockLimitExceeded):
        generate_passes(programme, 11, today=TODAY)
    assert not Pass.objects.exists()
    assert not JournalEntry.objects.exists()

    generate_passes(programme, 7, today=TODAY)
    with pytest.raises(StockLimitExceeded) as excinfo:
        generate_passes(programme, 4, today=TODAY)
    assert "3 de plus au plus" in excinfo.value.message
    assert Pass.objects.count() == 7
    assert JournalEntry.objects.count() == 7
    generate_passes(programme, 3, today=TODAY)
    assert Pass.objects.count() == 10
    with pytest.raises(StockLimitExceeded):
        generate_passes(programme, 1, today=TODAY)


def test_expired_and_cancelled_passes_leave_room_in_the_limit(make_actor):
    department = make_actor(OrganisationKind.DEPARTMENT)
    programme = department.programme
    programme.envelope_cents = 11_000
    programme.engineering_cents = 1_000
    programme.save()
    generate_passes(programme, 10, today=TODAY)
    checkbook = prescribe(
        department, ReferralFactory(beneficiary__programme=programme), today=TODAY
    ).checkbook
    with pytest.raises(StockLimitExceeded):
        generate_passes(programme, 1, today=TODAY)  # 5 assigned + 5 available

    serials = list(checkbook.passes.order_by("serial").values_list("serial", flat=True))
    Pass.objects.filter(serial__in=serials[:2]).update(status=PassStatus.EXPIRED)
    Pass.objects.filter(serial__in=serials[2:]).update(status=PassStatus.CANCELLED)
    with pytest.raises(StockLimitExceeded):
        generate_passes(programme, 6, today=TODAY)
    assert len(generate_passes(programme, 5, today=TODAY)) == 5
    assert ledger_of(programme).count(PassStatus.AVAILABLE) == 10


def test_redeemed_passes_count_in_the_limit(make_actor):
    department = make_actor(OrganisationKind.DEPARTMENT)
    programme = department.programme
    programme.envelope_cents = 11_000
    programme.engineering_cents = 1_000
    programme.save()
    generate_passes(programme, 10, today=TODAY)
    checkbook = prescribe(
        department, ReferralFactory(beneficiary__programme=programme), today=TODAY
    ).checkbook
    checkbook.passes.update(status=PassStatus.REDEEMED)
    with pytest.raises(StockLimitExceeded):
        generate_passes(programme, 1, today=TODAY)


# Cancel and replace --------------------------------------------------------------------------


@pytest.fixture
def department(make_actor):
    return make_actor(OrganisationKind.DEPARTMENT)


@pytest.fixture
def checkbook(department, programme):
    generate_passes(programme, 12, today=TODAY)
    referral = ReferralFactory(beneficiary__programme=programme)
    return prescribe(department, referral, today=TODAY).checkbook


def serials_of(checkbook):
    return list(checkbook.passes.order_by("serial").values_list("serial", flat=True))


def test_cancel_and_replace_issues_replacements_in_the_same_checkbook(
    department, programme, checkbook
):
    before_budget = budget_for(programme)
    before_available = ledger_of(programme).count(PassStatus.AVAILABLE)
    lost = serials_of(checkbook)[1:3]
    lost_passes = {p.serial: p for p in Pass.objects.filter(serial__in=lost)}

    replacements = cancel_and_replace(
        department, checkbook, lost, "  Chéquier perdu  ", today=TODAY
    )

    assert len(replacements) == 2
    for serial in lost:
        old = Pass.objects.get(serial=serial)
        assert old.status == PassStatus.CANCELLED
        new = old.replaced_by
        assert new.checkbook_id == checkbook.pk
        assert new.status == PassStatus.ASSIGNED
        assert new.expires_on == lost_passes[serial].expires_on
        assert new.value_cents == lost_passes[serial].value_cents
        assert new.serial not in lost
        assert new.code_digest != old.code_digest
    assert {p.replaces.serial for p in replacements} == set(lost)
    # 12 generated, then the replacements continue the sequence.
    assert sorted(p.serial for p in replacements) == ["48-2026-000013", "48-2026-000014"]
    assert checkbook.passes.filter(status=PassStatus.ASSIGNED).count() == 5
    assert checkbook.passes.filter(status=PassStatus.CANCELLED).count() == 2
    # No new commitment, no pass taken from the stock.
    after_budget = budget_for(programme)
    assert after_budget.committed_cents == before_budget.committed_cents == 50_00
    assert after_budget.available_cents == before_budget.available_cents
    assert ledger_of(programme).count(PassStatus.AVAILABLE) == before_available == 7


def test_cancel_and_replace_is_journaled(department, programme, checkbook):
    lost = serials_of(checkbook)[:1]
    [new] = cancel_and_replace(department, checkbook, lost, "Vol", today=TODAY)
    old = Pass.objects.get(serial=lost[0])
    cancelled = JournalEntry.objects.about(old).get(action="cancelled")
    assert (cancelled.before, cancelled.after, cancelled.reason) == (
        PassStatus.ASSIGNED,
        PassStatus.CANCELLED,
        "Vol",
    )
    assert cancelled.user_id == department.user.pk
    assert cancelled.organisation_id == department.organisation.pk
    issued = JournalEntry.objects.about(new).get(action="issued_as_replacement")
    assert issued.data == {"replaces": lost[0], "checkbook": checkbook.number}
    replaced = JournalEntry.objects.about(checkbook).get(action="passes_replaced")
    assert replaced.data == {"cancelled": lost, "replacements": [new.serial]}


def test_a_redeemed_pass_cannot_be_cancelled(department, programme, checkbook):
    serials = serials_of(checkbook)
    Pass.objects.filter(serial=serials[0]).update(status=PassStatus.REDEEMED)
    before = snapshot(programme)
    with pytest.raises(PassNotUnused) as excinfo:
        cancel_and_replace(department, checkbook, serials[:2], "Perte", today=TODAY)
    assert serials[0] in excinfo.value.message
    assert excinfo.value.code == "not_unused"
    assert snapshot(programme) == before


def test_a_pass_of_another_checkbook_is_refused(department, programme, checkbook):
    other = prescribe(
        department, ReferralFactory(beneficiary__programme=programme), today=TODAY
    ).checkbook
    before = snapshot(programme)
    stranger = serials_of(other)[0]
    with pytest.raises(InvalidInput) as excinfo:
        cancel_and_replace(
            department, checkbook, [serials_of(checkbook)[0], stranger], "Perte", today=TODAY
        )
    assert stranger in excinfo.value.message
    assert snapshot(programme) == before


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(department, programme, checkbook, reason):
    before = snapshot(programme)
    with pytest.raises(InvalidInput) as excinfo:
        cancel_and_replace(department, checkbook, serials_of(checkbook)[:1], reason, today=TODAY)
    assert excinfo.value.extra["field"] == "reason"
    assert snapshot(programme) == before


def test_at_least_one_serial_is_required(department, programme, checkbook):
    before = snapshot(programme)
    with pytest.raises(InvalidInput) as excinfo:
        cancel_and_replace(department, checkbook, [], "Perte", today=TODAY)
    assert excinfo.value.extra["field"] == "serials"
    assert snapshot(programme) == before


@pytest.mark.parametrize(
    "kind", [OrganisationKind.REFERRER, OrganisationKind.PROVIDER, OrganisationKind.OPERATOR]
)
def test_only_the_department_cancels_and_replaces(make_actor, programme, checkbook, kind):
    before = snapshot(programme)
    with pytest.raises(NotAllowed):
        cancel_and_replace(make_actor(kind), checkbook, serials_of(checkbook)[:1], "Perte")
    assert snapshot(programme) == before


def test_another_programmes_department_cannot_cancel(make_actor, programme, checkbook):
    stranger = make_actor(
        OrganisationKind.DEPARTMENT, organisation=OrganisationFactory(department=True)
    )
    with pytest.raises(NotAllowed) as excinfo:
        cancel_and_replace(stranger, checkbook, serials_of(checkbook)[:1], "Perte")
    assert excinfo.value.code == "other_programme"
    assert not Pass.objects.filter(status=PassStatus.CANCELLED).exists()


def test_printing_is_journaled_for_the_department_only(make_actor, department, checkbook):
    record_printing(department, checkbook, "pdf")
    entry = JournalEntry.objects.about(checkbook).get(action="printed")
    assert entry.data == {"format": "pdf"}
    assert entry.user_id == department.user.pk
    with pytest.raises(NotAllowed):
        record_printing(make_actor(OrganisationKind.REFERRER), checkbook, "pdf")
    assert JournalEntry.objects.about(checkbook).filter(action="printed").count() == 1


def test_generation_colliding_with_taken_serials_is_a_clear_conflict(programme, monkeypatch):
    """Two programmes of one territory numbering at once: the loser gets a French message."""
    from passnum.common.exceptions import Conflict
    from passnum.passes import services

    first = generate_passes(programme, 2)
    monkeypatch.setattr(services, "_next_sequence", lambda prefix: 1)
    with pytest.raises(Conflict, match="relancez la commande"):
        generate_passes(programme, 2)
    assert Pass.objects.count() == len(first)


def test_a_pass_past_its_end_date_is_not_replaced(department, programme, checkbook):
    from passnum.passes.exceptions import PassExpired

    lost = serials_of(checkbook)[0]
    before = snapshot(programme)
    with pytest.raises(PassExpired) as raised:
        cancel_and_replace(
            department, checkbook, [lost], "Perdu", today=checkbook.expires_on + timedelta(days=1)
        )
    assert lost in raised.value.message
    assert snapshot(programme) == before
