"""Who sees which referrals, in which order, with how many passes used and left."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from passnum.common.exceptions import InvalidInput, NotAllowed, NotFound
from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import PassStatus
from passnum.passes.services import cancel_and_replace, generate_passes
from passnum.referrals.enums import ReferralStatus
from passnum.referrals.models import Referral
from passnum.referrals.selectors import referral_for, referrals_visible_to
from passnum.referrals.services import prescribe, reject
from tests.factories import OrganisationFactory, ProgrammeFactory, ReferralFactory, set_status

TODAY = date(2026, 3, 2)
Kind = OrganisationKind


@pytest.fixture
def department(make_actor):
    return make_actor(Kind.DEPARTMENT)


@pytest.fixture
def referrer(make_actor):
    return make_actor(Kind.REFERRER)


@pytest.fixture
def landscape(programme, referrer):
    """Two referrals of the referrer, one of another referrer of the programme, one of another
    programme."""
    other_org = OrganisationFactory(programme=programme, referrer=True)
    mine = [
        ReferralFactory(beneficiary__programme=programme, organisation=referrer.organisation)
        for _ in range(2)
    ]
    theirs = ReferralFactory(beneficiary__programme=programme, organisation=other_org)
    foreign = ReferralFactory(beneficiary__programme=ProgrammeFactory())
    return {"mine": mine, "theirs": theirs, "foreign": foreign}


def ids(referrals):
    return {r.pk for r in referrals}


def test_a_referrer_sees_its_organisations_referrals_only(referrer, make_actor, landscape):
    assert ids(referrals_visible_to(referrer)) == ids(landscape["mine"])
    colleague = make_actor(Kind.REFERRER, organisation=referrer.organisation)
    assert ids(referrals_visible_to(colleague)) == ids(landscape["mine"])


def test_the_department_sees_the_whole_programme(make_actor, landscape):
    visible = ids(referrals_visible_to(make_actor(Kind.DEPARTMENT)))
    assert visible == ids([*landscape["mine"], landscape["theirs"]])
    assert landscape["foreign"].pk not in visible


@pytest.mark.parametrize("kind", [Kind.PROVIDER, Kind.OPERATOR])
def test_a_provider_or_the_operator_sees_no_referral(make_actor, landscape, kind):
    """The operator steers from aggregates: no person-level record at all."""
    with pytest.raises(NotAllowed):
        referrals_visible_to(make_actor(kind))
    with pytest.raises(NotAllowed):
        referral_for(make_actor(kind), landscape["mine"][0].pk)


def test_referral_for_finds_only_visible_referrals(referrer, department, landscape):
    mine = landscape["mine"][0]
    assert referral_for(referrer, mine.pk).pk == mine.pk
    assert referral_for(referrer, str(mine.pk)).pk == mine.pk
    assert referral_for(department, landscape["theirs"].pk).pk == landscape["theirs"].pk
    for actor, missing in [
        (referrer, landscape["theirs"].pk),
        (referrer, landscape["foreign"].pk),
        (department, landscape["foreign"].pk),
        (department, 999_999),
        (department, "abc"),
        (department, None),
    ]:
        with pytest.raises(NotFound):
            referral_for(actor, missing)


def test_queue_order_is_tier_then_age(department, programme):
    now = timezone.now()
    made = {}
    for name, publics, hours_ago in [
        ("tier3_old", [], 50),
        ("tier1_new", ["rsa"], 1),
        ("tier2_old", ["senior"], 40),
        ("tier1_old", ["jeune_decrocheur"], 30),
        ("tier3_new", [], 2),
        ("tier2_new", ["primo_arrivant"], 3),
    ]:
        referral = ReferralFactory(beneficiary__programme=programme, publics=publics)
        Referral.objects.filter(pk=referral.pk).update(created_at=now - timedelta(hours=hours_ago))
        made[referral.pk] = name
    order = [made[r.pk] for r in referrals_visible_to(department)]
    assert order == ["tier1_old", "tier1_new", "tier2_old", "tier2_new", "tier3_old", "tier3_new"]


def test_status_filter(department, programme):
    waiting = ReferralFactory(beneficiary__programme=programme)
    refused = ReferralFactory(beneficiary__programme=programme)
    reject(department, refused, "Non")
    assert ids(referrals_visible_to(department, status="pending")) == {waiting.pk}
    assert ids(referrals_visible_to(department, status=ReferralStatus.REJECTED)) == {refused.pk}
    assert ids(referrals_visible_to(department, status="withdrawn")) == set()
    assert ids(referrals_visible_to(department, status="")) == {waiting.pk, refused.pk}


def test_an_unknown_status_is_refused(department):
    with pytest.raises(InvalidInput) as excinfo:
        referrals_visible_to(department, status="archived")
    assert excinfo.value.extra["field"] == "status"
    assert "archived" in excinfo.value.message


def test_passes_counts_follow_the_checkbook(department, referrer, programme):
    generate_passes(programme, 10, today=TODAY)
    referral = ReferralFactory(
        beneficiary__programme=programme, organisation=referrer.organisation
    )
    waiting = ReferralFactory(beneficiary__programme=programme, organisation=referrer.organisation)

    def counts(actor, pk):
        r = referral_for(actor, pk)
        return r.passes_count, r.passes_used, r.passes_left

    assert counts(referrer, referral.pk) == (0, 0, 0)
    checkbook = prescribe(department, referral, today=TODAY).checkbook
    assert counts(referrer, referral.pk) == (5, 0, 5)
    assert counts(department, referral.pk) == (5, 0, 5)
    assert counts(referrer, waiting.pk) == (0, 0, 0)

    serials = list(checkbook.passes.order_by("serial").values_list("serial", flat=True))
    set_status(checkbook.passes.filter(serial=serials[0]), PassStatus.REDEEMED)
    assert counts(referrer, referral.pk) == (5, 1, 4)
    set_status(checkbook.passes.filter(serial=serials[1]), PassStatus.REIMBURSED)
    assert counts(referrer, referral.pk) == (5, 2, 3)
    # A lost pass and its replacement count once.
    cancel_and_replace(department, checkbook, [serials[2]], "Perte", today=TODAY)
    assert counts(referrer, referral.pk) == (5, 2, 3)
    set_status(checkbook.passes.filter(serial=serials[3]), PassStatus.EXPIRED)
    assert counts(referrer, referral.pk) == (5, 2, 2)
    listed = {r.pk: r for r in referrals_visible_to(referrer)}
    assert (listed[referral.pk].passes_used, listed[referral.pk].passes_left) == (2, 2)


def queries_to_list(actor) -> int:
    with CaptureQueriesContext(connection) as captured:
        shown = [
            # What a list shows: the person, their commune, the organisation, the checkbook.
            (
                str(referral.beneficiary.commune),
                str(referral.organisation),
                getattr(getattr(referral, "prescription", None), "checkbook", None),
                referral.passes_count + referral.passes_used + referral.passes_left,
            )
            for referral in referrals_visible_to(actor)
        ]
    assert shown
    return len(captured)


def test_listing_takes_a_constant_number_of_queries(department, programme):
    generate_passes(programme, 10, today=TODAY)
    first = ReferralFactory(beneficiary__programme=programme)
    prescribe(department, first, today=TODAY)
    one = queries_to_list(department)
    for _ in range(19):
        ReferralFactory(beneficiary__programme=programme)
    prescribe(department, Referral.objects.pending().first(), today=TODAY)
    assert Referral.objects.filter(programme=programme).count() == 20
    assert queries_to_list(department) == one == 1
