"""Orientation and prescription: who may, which person, which publics, budget and stock.
Every refusal leaves the database as it was."""

from datetime import date, timedelta

import pytest

from passnum.beneficiaries.models import Beneficiary
from passnum.beneficiaries.services import BeneficiaryData
from passnum.common.exceptions import InvalidInput, NotAllowed, NotFound
from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes
from passnum.passes.enums import PassSource, PassStatus
from passnum.passes.exceptions import BudgetExhausted
from passnum.passes.imports import import_passes
from passnum.passes.models import Checkbook, Pass
from passnum.passes.selectors import budget_for, ledger_of
from passnum.passes.services import generate_passes
from passnum.referrals.enums import ReferralStatus
from passnum.referrals.exceptions import (
    AlreadyHasCheckbook,
    AlreadyPending,
    NotPending,
    PossibleDuplicate,
    ProgrammeClosed,
    PublicInconsistentWithAge,
)
from passnum.referrals.models import Prescription, Referral
from passnum.referrals.services import OnDuplicate, prescribe, refer, reject, withdraw
from tests.factories import (
    BeneficiaryFactory,
    CommuneFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ReferralFactory,
)

TODAY = date(2026, 3, 2)
NEEDS = ["outils_quotidien"]
Kind = OrganisationKind


def born_aged(age: int) -> date:
    """A birth date giving exactly ``age`` on TODAY."""
    return date(TODAY.year - age, 1, 15)


def person(first="Jeanne", last="Durand", born=None, commune=None, **extra) -> BeneficiaryData:
    return BeneficiaryData(
        first_name=first,
        last_name=last,
        birth_date=born or born_aged(40),
        commune=commune or CommuneFactory(),
        **extra,
    )


def state(programme):
    """Everything a refused operation must leave unchanged."""
    return {
        "referrals": list(
            Referral.objects.order_by("pk").values_list(
                "pk", "status", "decided_at", "decided_by", "decision_reason", "publics", "tier"
            )
        ),
        "beneficiaries": list(Beneficiary.objects.order_by("pk").values_list("pk", "last_name")),
        "checkbooks": Checkbook.objects.count(),
        "prescriptions": Prescription.objects.count(),
        "journal": JournalEntry.objects.count(),
        "passes": list(Pass.objects.order_by("pk").values_list("pk", "status", "checkbook_id")),
        "ledger": ledger_of(programme),
    }


@pytest.fixture
def department(make_actor):
    return make_actor(Kind.DEPARTMENT)


@pytest.fixture
def referrer(make_actor):
    return make_actor(Kind.REFERRER)


@pytest.fixture
def stocked(programme):
    """Enough passes in stock for a few checkbooks."""
    return generate_passes(programme, 20, today=TODAY)


def pending(programme, **fields) -> Referral:
    return ReferralFactory(beneficiary__programme=programme, **fields)


# prescribe -----------------------------------------------------------------------------------


def test_prescribe_gives_a_checkbook(department, programme, stocked):
    referral = pending(programme)
    before = budget_for(programme)

    prescription = prescribe(department, referral, today=TODAY)

    checkbook = prescription.checkbook
    assert checkbook.number == 1
    assert checkbook.beneficiary_id == referral.beneficiary_id
    assert checkbook.issued_on == TODAY
    assert checkbook.expires_on == TODAY + timedelta(days=programme.validity_days)
    assert checkbook.expires_on == date(2026, 9, 1)
    passes = list(checkbook.passes.order_by("serial"))
    assert len(passes) == programme.passes_per_checkbook == 5
    assert [p.serial for p in passes] == [f"48-2026-00000{i}" for i in range(1, 6)]
    assert {p.status for p in passes} == {PassStatus.ASSIGNED}
    assert {p.expires_on for p in passes} == {checkbook.expires_on}
    assert (prescription.referral_id, prescription.programme_id) == (referral.pk, programme.pk)
    assert prescription.prescribed_by == department.user
    assert prescription.organisation == department.organisation

    after = budget_for(programme)
    assert after.committed_cents - before.committed_cents == before.checkbook_value_cents == 50_00
    assert before.available_cents - after.available_cents == 50_00
    assert ledger_of(programme).count(PassStatus.AVAILABLE) == 15

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PRESCRIBED
    assert referral.decided_at is not None
    assert referral.decided_by == department.user


def test_checkbooks_are_numbered_in_order(department, programme, stocked):
    numbers = [
        prescribe(department, pending(programme), today=TODAY).checkbook.number for _ in "abc"
    ]
    assert numbers == [1, 2, 3]
    assert budget_for(programme).committed_cents == 3 * 50_00


def test_prescription_is_journaled(department, programme, stocked):
    referral = pending(programme)
    prescription = prescribe(department, referral, today=TODAY)
    checkbook = prescription.checkbook
    who = (department.user.pk, department.organisation.pk)

    for pass_ in checkbook.passes.all():
        entry = JournalEntry.objects.about(pass_).get(action="assigned")
        assert (entry.before, entry.after) == (PassStatus.AVAILABLE, PassStatus.ASSIGNED)
        assert (entry.user_id, entry.organisation_id) == who
        assert entry.data == {"checkbook": 1}
    issued = JournalEntry.objects.about(checkbook).get(action="issued")
    assert (issued.user_id, issued.organisation_id) == who
    assert sorted(issued.data["passes"]) == sorted(p.serial for p in checkbook.passes.all())
    decided = JournalEntry.objects.about(referral).get(action="prescribed")
    assert (decided.before, decided.after) == (ReferralStatus.PENDING, ReferralStatus.PRESCRIBED)
    assert (decided.user_id, decided.organisation_id) == who
    created = JournalEntry.objects.about(prescription).get(action="created")
    assert created.data == {"checkbook": 1, "expires_on": "2026-09-01"}
    assert (created.user_id, created.organisation_id) == who
    assert {e.programme_id for e in JournalEntry.objects.all()} == {programme.pk}


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.PROVIDER, Kind.OPERATOR])
def test_only_the_department_prescribes(make_actor, programme, stocked, kind):
    referral = pending(programme)
    before = state(programme)
    with pytest.raises(NotAllowed) as excinfo:
        prescribe(make_actor(kind), referral, today=TODAY)
    assert excinfo.value.code == "forbidden"
    assert state(programme) == before


def test_another_programmes_department_cannot_prescribe(make_actor, programme, stocked):
    referral = pending(programme)
    stranger = make_actor(Kind.DEPARTMENT, organisation=OrganisationFactory(department=True))
    assert stranger.programme != programme
    before = state(programme)
    with pytest.raises(NotAllowed) as excinfo:
        prescribe(stranger, referral, today=TODAY)
    assert excinfo.value.code == "other_programme"
    assert state(programme) == before


@pytest.mark.parametrize("decision", ["prescribed", "rejected", "withdrawn"])
def test_a_referral_no_longer_pending_is_not_prescribed(
    make_actor, department, programme, stocked, decision
):
    referral = pending(programme)
    if decision == "prescribed":
        prescribe(department, referral, today=TODAY)
    elif decision == "rejected":
        reject(department, referral, "Hors critères")
    else:
        withdraw(make_actor(Kind.REFERRER, organisation=referral.organisation), referral)
    before = state(programme)
    with pytest.raises(NotPending) as excinfo:
        prescribe(department, referral, today=TODAY)
    assert excinfo.value.code == "not_pending"
    assert state(programme) == before


def test_budget_exhausted_refuses_and_changes_nothing(department):
    programme = department.programme
    programme.envelope_cents = 6_000  # 5 000 for passes: one checkbook
    programme.engineering_cents = 1_000
    programme.save()
    generate_passes(programme, 5, today=TODAY)
    prescribe(department, pending(programme), today=TODAY)
    second = pending(programme)
    before = state(programme)
    with pytest.raises(BudgetExhausted) as excinfo:
        prescribe(department, second, today=TODAY)
    assert excinfo.value.code == "budget_exhausted"
    assert "budget disponible" in excinfo.value.message
    assert state(programme) == before
    second.refresh_from_db()
    assert second.status == ReferralStatus.PENDING
    assert ledger_of(programme).count(PassStatus.ASSIGNED) == 5


def test_budget_lowered_below_the_stock_refuses(department):
    """Passes in stock, but an envelope lowered since: the budget decides."""
    programme = department.programme
    generate_passes(programme, 10, today=TODAY)
    programme.envelope_cents = 6_000  # 5 000 for passes: one checkbook
    programme.engineering_cents = 1_000
    programme.save()
    prescribe(department, pending(programme), today=TODAY)
    second = pending(programme)
    before = state(programme)
    with pytest.raises(BudgetExhausted) as excinfo:
        prescribe(department, second, today=TODAY)
    assert "budget disponible" in excinfo.value.message
    assert ledger_of(programme).count(PassStatus.AVAILABLE) == 5
    assert state(programme) == before


def test_consumed_passes_use_the_budget_up(department):
    programme = department.programme
    programme.envelope_cents = 11_000  # 10 passes
    programme.engineering_cents = 1_000
    programme.save()
    generate_passes(programme, 10, today=TODAY)
    prescribe(department, pending(programme), today=TODAY).checkbook.passes.update(
        status=PassStatus.REDEEMED
    )
    prescribe(department, pending(programme), today=TODAY)
    assert budget_for(programme).available_cents == 0
    with pytest.raises(BudgetExhausted):
        prescribe(department, pending(programme), today=TODAY)


def test_stock_exhausted_refuses_even_with_budget(department, programme):
    generate_passes(programme, 4, today=TODAY)
    referral = pending(programme)
    assert budget_for(programme).can_cover_checkbook
    before = state(programme)
    with pytest.raises(BudgetExhausted) as excinfo:
        prescribe(department, referral, today=TODAY)
    assert "stock" in excinfo.value.message
    assert state(programme) == before


def test_imported_passes_ending_early_cap_the_checkbook(department, programme):
    content = (
        "serial,code,end_date\n"
        "00-A,K7QM-9T2D-XH47,2026-05-01\n"
        f"00-B,{_code('B')},2026-07-01\n"
        f"00-C,{_code('C')},2027-01-01\n"
    )
    import_passes(programme, content, today=TODAY)
    generate_passes(programme, 2, today=TODAY)
    checkbook = prescribe(department, pending(programme), today=TODAY).checkbook
    ends = dict(checkbook.passes.values_list("serial", "expires_on"))
    normal_end = TODAY + timedelta(days=programme.validity_days)
    assert ends == {
        "00-A": date(2026, 5, 1),
        "00-B": date(2026, 7, 1),
        "00-C": normal_end,  # the operator's date is later than the validity
        "48-2026-000001": normal_end,
        "48-2026-000002": normal_end,
    }
    assert checkbook.expires_on == date(2026, 5, 1)


def _code(seed: str) -> str:
    payload = (seed * 11)[:11]
    return payload + codes.check_symbol(payload)


def test_passes_whose_stock_ends_within_30_days_are_never_assigned(department, programme):
    day = date(2026, 3, 10)
    content = "serial;code;end_date\n" + "".join(f"00-{s};{_code(s)};10/03/2026\n" for s in "ABC")
    import_passes(programme, content, today=TODAY)
    generate_passes(programme, 4, today=TODAY)
    # On 9 February the 3 imported passes have 29 days left, 4 others: not a checkbook.
    with pytest.raises(BudgetExhausted):
        prescribe(department, pending(programme), today=date(2026, 2, 9))
    generate_passes(programme, 1, today=TODAY)
    checkbook = prescribe(department, pending(programme), today=date(2026, 2, 9)).checkbook
    assert not checkbook.passes.filter(source=PassSource.IMPORTED).exists()
    assert set(
        Pass.objects.filter(source=PassSource.IMPORTED).values_list("status", flat=True)
    ) == {PassStatus.AVAILABLE}
    # With 30 days left they are given out first (nearest end first), with their own end date.
    generate_passes(programme, 2, today=TODAY)
    checkbook = prescribe(department, pending(programme), today=date(2026, 2, 8)).checkbook
    assert checkbook.passes.filter(source=PassSource.IMPORTED).count() == 3
    assert checkbook.expires_on == day


def test_a_person_holding_a_checkbook_is_not_prescribed_again(department, programme, stocked):
    first = pending(programme)
    prescribe(department, first, today=TODAY)
    # A referral recorded around the rules (the service refuses it at creation, see below).
    again = ReferralFactory(beneficiary=first.beneficiary)
    before = state(programme)
    with pytest.raises(AlreadyHasCheckbook) as excinfo:
        prescribe(department, again, today=TODAY)
    assert excinfo.value.code == "already_has_checkbook"
    assert state(programme) == before


# refer ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT])
def test_referrer_and_department_refer(make_actor, programme, kind):
    actor = make_actor(kind)
    referral = refer(
        actor,
        publics=["rsa"],
        needs=["demarches_administratives", "outils_quotidien"],
        comment="  Rendez-vous pris  ",
        beneficiary_data=person(email=" jeanne@exemple.fr ", phone="04 66 49 00 00"),
        today=TODAY,
    )
    assert referral.status == ReferralStatus.PENDING
    assert referral.programme == programme
    assert referral.organisation == actor.organisation
    assert referral.created_by == actor.user
    assert referral.comment == "Rendez-vous pris"
    assert referral.needs == ["demarches_administratives", "outils_quotidien"]
    beneficiary = referral.beneficiary
    assert (beneficiary.first_name, beneficiary.last_name) == ("Jeanne", "Durand")
    assert beneficiary.email == "jeanne@exemple.fr"
    assert beneficiary.phone == "0466490000"
    assert beneficiary.notice_given_on == TODAY
    assert beneficiary.created_by_organisation == actor.organisation
    created = JournalEntry.objects.about(beneficiary).get(action="created")
    assert created.user == actor.user
    entry = JournalEntry.objects.about(referral).get(action="created")
    assert entry.after == ReferralStatus.PENDING
    assert entry.data == {
        "declared_publics": ["rsa"],
        "publics": ["rsa"],
        "needs": referral.needs,
        "tier": 1,
    }
    assert (entry.user_id, entry.organisation_id) == (actor.user.pk, actor.organisation.pk)


@pytest.mark.parametrize("kind", [Kind.PROVIDER, Kind.OPERATOR])
def test_provider_and_operator_do_not_refer(make_actor, programme, kind):
    before = state(programme)
    with pytest.raises(NotAllowed):
        refer(make_actor(kind), publics=[], needs=NEEDS, beneficiary_data=person(), today=TODAY)
    assert state(programme) == before


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"born": born_aged(15)}, "too_young", "birth_date"),
        ({"born": date(2026, 3, 3)}, "invalid_birth_date", "birth_date"),
        ({"born": date(1900, 1, 1)}, "invalid_birth_date", "birth_date"),
        ({"first": "   "}, "invalid_input", "first_name"),
        ({"last": ""}, "invalid_input", "last_name"),
        ({"email": "jeanne@"}, "invalid_input", "email"),
        ({"phone": "06 12"}, "invalid_input", "phone"),
        ({"notice_given_on": date(2026, 3, 3)}, "invalid_input", "notice_given_on"),
    ],
)
def test_refer_refuses_bad_person_data(referrer, programme, data, code, field):
    before = state(programme)
    with pytest.raises(InvalidInput) as excinfo:
        refer(referrer, publics=[], needs=NEEDS, beneficiary_data=person(**data), today=TODAY)
    assert excinfo.value.code == code
    assert excinfo.value.extra["field"] == field
    assert excinfo.value.message
    assert state(programme) == before


def test_sixteen_is_old_enough(referrer):
    referral = refer(
        referrer, publics=[], needs=NEEDS, beneficiary_data=person(born=born_aged(16)), today=TODAY
    )
    assert referral.publics == ["jeune"]


def test_a_commune_outside_the_territory_is_refused(referrer, programme):
    millau = CommuneFactory(insee_code="12145", name="Millau", department_code="12")
    before = state(programme)
    with pytest.raises(InvalidInput) as excinfo:
        refer(
            referrer, publics=[], needs=NEEDS, beneficiary_data=person(commune=millau), today=TODAY
        )
    assert excinfo.value.code == "commune_outside_territory"
    assert "Millau" in excinfo.value.message
    assert state(programme) == before


@pytest.mark.parametrize(("public", "age"), [("senior", 40), ("senior", 59), ("jeune", 30)])
def test_age_based_publics_must_match_the_age(referrer, programme, public, age):
    before = state(programme)
    with pytest.raises(PublicInconsistentWithAge) as excinfo:
        refer(
            referrer,
            publics=[public],
            needs=NEEDS,
            beneficiary_data=person(born=born_aged(age)),
            today=TODAY,
        )
    assert isinstance(excinfo.value, InvalidInput)  # 422
    assert excinfo.value.code == "public_inconsistent_with_age"
    assert excinfo.value.extra["field"] == "publics"
    assert f"({age} ans)" in excinfo.value.message
    assert state(programme) == before


@pytest.mark.parametrize(
    ("publics", "age", "expected", "tier"),
    [
        ([], 62, ["senior"], 2),
        ([], 60, ["senior"], 2),
        (["senior"], 75, ["senior"], 2),
        ([], 20, ["jeune"], 2),
        ([], 25, ["jeune"], 2),
        ([], 26, [], 3),
        (["rsa"], 20, ["rsa", "jeune"], 1),
        (["rsa"], 40, ["rsa"], 1),
        (["primo_arrivant"], 40, ["primo_arrivant"], 2),
        ([], 40, [], 3),
        (["primo_arrivant", "demandeur_emploi_peu_qualifie"], 40, None, 1),
        (["rsa", "rsa"], 40, ["rsa"], 1),
    ],
)
def test_publics_and_tier(referrer, publics, age, expected, tier):
    referral = refer(
        referrer,
        publics=publics,
        needs=NEEDS,
        beneficiary_data=person(born=born_aged(age)),
        today=TODAY,
    )
    if expected is not None:
        assert referral.publics == expected
    assert referral.tier == tier


@pytest.mark.parametrize(
    ("publics", "needs", "field"),
    [
        (["retraite"], NEEDS, "publics"),
        ([], ["cuisine"], "needs"),
        ([], [], "needs"),
        ([], None, "needs"),
    ],
)
def test_unknown_codes_and_missing_needs_are_refused(referrer, programme, publics, needs, field):
    before = state(programme)
    with pytest.raises(InvalidInput) as excinfo:
        refer(referrer, publics=publics, needs=needs, beneficiary_data=person(), today=TODAY)
    assert excinfo.value.extra["field"] == field
    assert state(programme) == before


def test_a_comment_too_long_is_refused(referrer, programme):
    before = state(programme)
    with pytest.raises(InvalidInput) as excinfo:
        refer(referrer, publics=[], needs=NEEDS, comment="x" * 2001, beneficiary_data=person())
    assert excinfo.value.extra["field"] == "comment"
    assert state(programme) == before


def test_a_person_is_required(referrer, programme):
    with pytest.raises(InvalidInput):
        refer(referrer, publics=[], needs=NEEDS, today=TODAY)
    assert not Referral.objects.exists()


@pytest.fixture
def helene(programme, referrer):
    """A person the referrer's own organisation recorded."""
    return BeneficiaryFactory(
        programme=programme,
        first_name="Hélène",
        last_name="Dupré-Noël",
        birth_date=date(1970, 4, 2),
        created_by_organisation=referrer.organisation,
    )


def same_person_typed_differently():
    return person(first="HELENE", last="dupre noel", born=date(1970, 4, 2))


def test_possible_duplicate_asks(referrer, programme, helene):
    before = state(programme)
    with pytest.raises(PossibleDuplicate) as excinfo:
        refer(referrer, publics=[], needs=NEEDS, beneficiary_data=same_person_typed_differently())
    assert excinfo.value.code == "possible_duplicate"
    assert excinfo.value.extra["candidates"] == [helene]
    assert state(programme) == before


def test_a_confirmed_new_person_is_created(referrer, programme, helene):
    referral = refer(
        referrer,
        publics=[],
        needs=NEEDS,
        beneficiary_data=same_person_typed_differently(),
        on_duplicate=OnDuplicate.CREATE,
        today=TODAY,
    )
    assert referral.beneficiary != helene
    assert Beneficiary.objects.count() == 2
    assert JournalEntry.objects.about(referral.beneficiary).filter(action="created").exists()


def test_the_matching_person_is_reused(referrer, programme, helene):
    referral = refer(
        referrer,
        publics=[],
        needs=NEEDS,
        beneficiary_data=same_person_typed_differently(),
        on_duplicate=OnDuplicate.REUSE,
        today=TODAY,
    )
    assert referral.beneficiary == helene
    assert Beneficiary.objects.count() == 1
    assert not JournalEntry.objects.filter(subject_type="beneficiary").exists()


def test_reuse_with_two_matching_people_still_asks(referrer, programme, helene):
    BeneficiaryFactory(
        programme=programme,
        first_name="Helene",
        last_name="Dupre Noel",
        birth_date=date(1970, 4, 2),
        created_by_organisation=referrer.organisation,
    )
    with pytest.raises(PossibleDuplicate) as excinfo:
        refer(
            referrer,
            publics=[],
            needs=NEEDS,
            beneficiary_data=same_person_typed_differently(),
            on_duplicate=OnDuplicate.REUSE,
            today=TODAY,
        )
    assert len(excinfo.value.extra["candidates"]) == 2
    assert not Referral.objects.exists()


def test_another_birth_date_or_programme_is_not_a_duplicate(referrer, programme, helene):
    BeneficiaryFactory(
        programme=ProgrammeFactory(),
        first_name="Hélène",
        last_name="Dupré-Noël",
        birth_date=date(1970, 4, 4),
    )
    referral = refer(
        referrer,
        publics=[],
        needs=NEEDS,
        beneficiary_data=person(first="Hélène", last="Dupré-Noël", born=date(1970, 4, 4)),
        today=TODAY,
    )
    assert referral.beneficiary.programme == programme
    assert referral.beneficiary != helene
    assert Beneficiary.objects.filter(programme=programme).count() == 2


def test_an_existing_person_of_another_programme_is_not_found(referrer):
    stranger = BeneficiaryFactory()
    with pytest.raises(NotFound):
        refer(referrer, publics=[], needs=NEEDS, beneficiary=stranger, today=TODAY)
    assert not Referral.objects.exists()


def test_a_second_pending_referral_is_refused(referrer, make_actor, programme):
    first = refer(referrer, publics=[], needs=NEEDS, beneficiary_data=person(), today=TODAY)
    before = state(programme)
    for actor in (referrer, make_actor(Kind.DEPARTMENT)):
        with pytest.raises(AlreadyPending) as excinfo:
            refer(actor, publics=[], needs=NEEDS, beneficiary=first.beneficiary, today=TODAY)
        assert excinfo.value.code == "already_pending"
    # Another referrer organisation does not even learn that the person exists.
    with pytest.raises(NotFound):
        refer(
            make_actor(Kind.REFERRER),
            publics=[],
            needs=NEEDS,
            beneficiary=first.beneficiary,
            today=TODAY,
        )
    with pytest.raises(AlreadyPending):
        refer(
            referrer,
            publics=[],
            needs=NEEDS,
            beneficiary_data=person(),
            on_duplicate=OnDuplicate.REUSE,
            today=TODAY,
        )
    assert state(programme) == before


@pytest.fixture
def holder(referrer, department, programme, stocked):
    """A person who received a checkbook on TODAY, and its checkbook."""
    referral = refer(referrer, publics=[], needs=NEEDS, beneficiary_data=person(), today=TODAY)
    return referral.beneficiary, prescribe(department, referral, today=TODAY).checkbook


def test_a_person_with_unused_passes_cannot_be_referred(referrer, programme, holder):
    beneficiary, _ = holder
    before = state(programme)
    with pytest.raises(AlreadyHasCheckbook) as excinfo:
        refer(referrer, publics=[], needs=NEEDS, beneficiary=beneficiary, today=TODAY)
    assert excinfo.value.code == "already_has_checkbook"
    assert state(programme) == before


def test_the_maximum_of_checkbooks_refuses_even_when_passes_are_used(referrer, programme, holder):
    beneficiary, checkbook = holder
    checkbook.passes.update(status=PassStatus.REDEEMED)
    before = state(programme)
    with pytest.raises(AlreadyHasCheckbook) as excinfo:
        refer(referrer, publics=[], needs=NEEDS, beneficiary=beneficiary, today=TODAY)
    assert "1 chéquier(s)" in excinfo.value.message
    # Expired does not help either: one checkbook is the programme's maximum.
    with pytest.raises(AlreadyHasCheckbook):
        refer(
            referrer,
            publics=[],
            needs=NEEDS,
            beneficiary=beneficiary,
            today=checkbook.expires_on + timedelta(days=1),
        )
    assert state(programme) == before


def test_with_two_checkbooks_allowed(referrer, department, programme, holder):
    beneficiary, checkbook = holder
    programme.max_checkbooks_per_person = 2
    programme.save()
    # Unused passes, not yet expired: still refused.
    with pytest.raises(AlreadyHasCheckbook):
        refer(referrer, publics=[], needs=NEEDS, beneficiary=beneficiary, today=TODAY)
    # The first checkbook has expired: a second one may be prescribed.
    later = checkbook.expires_on + timedelta(days=1)
    referral = refer(referrer, publics=[], needs=NEEDS, beneficiary=beneficiary, today=later)
    second = prescribe(department, referral, today=later).checkbook
    assert second.number == 2
    # Now at the maximum, even with every pass used.
    Pass.objects.filter(checkbook__beneficiary=beneficiary).update(status=PassStatus.REDEEMED)
    with pytest.raises(AlreadyHasCheckbook):
        refer(referrer, publics=[], needs=NEEDS, beneficiary=beneficiary, today=later)


def test_with_two_checkbooks_allowed_once_the_passes_are_used(referrer, programme, holder):
    beneficiary, checkbook = holder
    programme.max_checkbooks_per_person = 2
    programme.save()
    checkbook.passes.update(status=PassStatus.REDEEMED)
    referral = refer(referrer, publics=[], needs=NEEDS, beneficiary=beneficiary, today=TODAY)
    assert referral.status == ReferralStatus.PENDING


# reject and withdraw -------------------------------------------------------------------------


def test_reject_with_a_reason(department, programme):
    referral = pending(programme)
    result = reject(department, referral, "  Personne déjà accompagnée  ")
    referral.refresh_from_db()
    assert result.status == referral.status == ReferralStatus.REJECTED
    assert referral.decision_reason == "Personne déjà accompagnée"
    assert referral.decided_by == department.user
    assert referral.decided_at is not None
    entry = JournalEntry.objects.about(referral).get(action="rejected")
    assert (entry.before, entry.after) == (ReferralStatus.PENDING, ReferralStatus.REJECTED)
    assert entry.reason == "Personne déjà accompagnée"
    assert (entry.user_id, entry.organisation_id) == (
        department.user.pk,
        department.organisation.pk,
    )
    assert not Checkbook.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reject_needs_a_reason(department, programme, reason):
    referral = pending(programme)
    before = state(programme)
    with pytest.raises(InvalidInput) as excinfo:
        reject(department, referral, reason)
    assert excinfo.value.code == "reason_required"
    assert excinfo.value.extra["field"] == "reason"
    assert state(programme) == before


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.PROVIDER, Kind.OPERATOR])
def test_only_the_department_rejects(make_actor, programme, kind):
    referral = pending(programme)
    before = state(programme)
    with pytest.raises(NotAllowed):
        reject(make_actor(kind), referral, "Non")
    assert state(programme) == before


def test_reject_not_pending(department, programme):
    referral = pending(programme)
    reject(department, referral, "Non")
    before = state(programme)
    with pytest.raises(NotPending):
        reject(department, referral, "Toujours non")
    assert state(programme) == before


def test_the_author_withdraws(referrer, make_actor, programme):
    referral = refer(referrer, publics=[], needs=NEEDS, beneficiary_data=person(), today=TODAY)
    colleague = make_actor(Kind.REFERRER, organisation=referrer.organisation)
    withdraw(colleague, referral, " La personne a déménagé ")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.decision_reason == "La personne a déménagé"
    assert referral.decided_by == colleague.user
    entry = JournalEntry.objects.about(referral).get(action="withdrawn")
    assert (entry.before, entry.after) == (ReferralStatus.PENDING, ReferralStatus.WITHDRAWN)
    assert entry.organisation_id == referrer.organisation.pk
    # Withdrawn, the person may be referred again.
    again = refer(referrer, publics=[], needs=NEEDS, beneficiary=referral.beneficiary, today=TODAY)
    assert again.status == ReferralStatus.PENDING


def test_the_department_withdraws_its_own_referral(department, programme):
    referral = refer(department, publics=[], needs=NEEDS, beneficiary_data=person(), today=TODAY)
    withdraw(department, referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.decision_reason == ""


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER, Kind.OPERATOR])
def test_only_the_authors_organisation_withdraws(referrer, make_actor, programme, kind):
    referral = refer(referrer, publics=[], needs=NEEDS, beneficiary_data=person(), today=TODAY)
    before = state(programme)
    with pytest.raises(NotAllowed):
        withdraw(make_actor(kind), referral, "Non")
    assert state(programme) == before


def test_withdraw_not_pending(referrer, department, programme):
    referral = refer(referrer, publics=[], needs=NEEDS, beneficiary_data=person(), today=TODAY)
    reject(department, referral, "Non")
    before = state(programme)
    with pytest.raises(NotPending):
        withdraw(referrer, referral)
    assert state(programme) == before


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2029, 1, 1)])
def test_no_prescription_outside_the_programme_period(department, programme, stocked, day):
    referral = pending(programme)
    before = state(programme)
    with pytest.raises(ProgrammeClosed) as raised:
        prescribe(department, referral, today=day)
    assert raised.value.code == "programme_closed"
    assert "du 01/01/2026 au 31/12/2028" in raised.value.message
    assert state(programme) == before


def test_a_checkbook_never_outlives_its_programme(department, programme, stocked):
    checkbook = prescribe(department, pending(programme), today=date(2028, 11, 1)).checkbook
    assert checkbook.expires_on == programme.ends_on == date(2028, 12, 31)
    assert set(checkbook.passes.values_list("expires_on", flat=True)) == {programme.ends_on}


def test_the_database_refuses_a_referral_without_needs(programme, referrer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(beneficiary__programme=programme, needs=[])


def test_declared_publics_are_kept_apart_from_the_age_implied_ones(referrer, programme):
    referral = refer(
        referrer, publics=["rsa"], needs=["securite"], beneficiary_data=person(born=born_aged(63))
    )
    assert referral.publics == ["rsa", "senior"]
    entry = JournalEntry.objects.about(referral).get(action="created")
    assert entry.data["declared_publics"] == ["rsa"]


def test_names_in_another_script_are_different_people(referrer, programme):
    ivan = refer(
        referrer, publics=[], needs=["securite"], beneficiary_data=person("Иван", "Петров")
    )
    maryam = refer(
        referrer, publics=[], needs=["securite"], beneficiary_data=person("مريم", "حسن")
    )
    assert ivan.beneficiary_id != maryam.beneficiary_id
    assert ivan.beneficiary.search_last_name == "петров"
