"""The misuse signal: per provider, the passes it redeemed for people that an organisation
sharing its SIRET referred (« a Mission Locale that orients and trains »)."""

import pytest

from passnum.organisations.enums import OrganisationKind
from passnum.passes.enums import PassStatus
from passnum.passes.services import generate_passes
from passnum.referrals.services import prescribe
from passnum.reporting.selectors import SelfReferredRedemptions, self_referred_redemptions
from tests.factories import OrganisationFactory, ProgrammeFactory, ReferralFactory
from tests.reporting.factories import redeem_directly

Kind = OrganisationKind
MISSION_LOCALE = "13002526500013"
OTHER_SIRET = "73282932000074"


def passes_referred_by(department, organisation, count=5):
    """The passes of a checkbook prescribed to a person that ``organisation`` referred."""
    programme = organisation.programme
    generate_passes(programme, programme.passes_per_checkbook)
    referral = ReferralFactory(beneficiary__programme=programme, organisation=organisation)
    return list(prescribe(department, referral).checkbook.passes.order_by("serial")[:count])


@pytest.fixture
def world(programme, make_actor):
    """A Mission Locale both referrer and provider (one SIRET), another referrer, a provider
    with another SIRET, a provider and a referrer without SIRET."""
    department = make_actor(Kind.DEPARTMENT)

    def org(kind, name, siret=""):
        return OrganisationFactory(programme=programme, kind=kind, name=name, siret=siret)

    return {
        "department": department,
        "ml_referrer": org(Kind.REFERRER, "Mission Locale (orientation)", MISSION_LOCALE),
        "ml_provider": org(Kind.PROVIDER, "Mission Locale (formation)", MISSION_LOCALE),
        "ccas": org(Kind.REFERRER, "CCAS de Mende", OTHER_SIRET),
        "numncoop": org(Kind.PROVIDER, "Num'n'coop", "44306184100047"),
        "no_siret_referrer": org(Kind.REFERRER, "Association sans SIRET"),
        "no_siret_provider": org(Kind.PROVIDER, "Tiers-lieu sans SIRET"),
    }


def test_counts_live_self_referred_redemptions_per_provider(
    world, programme, make_actor, django_assert_num_queries
):
    dep = world["department"]
    ml_people = passes_referred_by(dep, world["ml_referrer"])
    ccas_people = passes_referred_by(dep, world["ccas"])
    no_siret_people = passes_referred_by(dep, world["no_siret_referrer"])
    ml = world["ml_provider"]
    # The Mission Locale redeems 2 passes of its own orientations, one of them already
    # reimbursed, and one of the CCAS; one redemption was undone (not counted).
    redeem_directly(ml, ml_people[:1])
    redeem_directly(ml, ml_people[1:2], status=PassStatus.REIMBURSED)
    redeem_directly(ml, ccas_people[:1])
    redeem_directly(ml, ml_people[2:3], status=PassStatus.ASSIGNED, undone=True)
    # Num'n'coop redeems passes of Mission Locale orientations: another SIRET, not its own.
    redeem_directly(world["numncoop"], ml_people[3:5])
    # Two organisations without SIRET do not « share » an empty one.
    redeem_directly(world["no_siret_provider"], no_siret_people[:3])
    # Another programme with the same SIRETs is not counted.
    other = ProgrammeFactory()
    other_department_actor = make_actor(
        Kind.DEPARTMENT, organisation=OrganisationFactory(programme=other, kind=Kind.DEPARTMENT)
    )
    other_ml_referrer = OrganisationFactory(
        programme=other, kind=Kind.REFERRER, siret=MISSION_LOCALE
    )
    other_ml_provider = OrganisationFactory(
        programme=other, kind=Kind.PROVIDER, siret=MISSION_LOCALE
    )
    redeem_directly(
        other_ml_provider, passes_referred_by(other_department_actor, other_ml_referrer)
    )

    with django_assert_num_queries(1):
        rows = self_referred_redemptions(programme)

    assert rows == [
        SelfReferredRedemptions(ml.pk, ml.name, MISSION_LOCALE, self_referred=2, redeemed=3),
        SelfReferredRedemptions(
            world["no_siret_provider"].pk,
            "Tiers-lieu sans SIRET",
            "",
            self_referred=0,
            redeemed=3,
        ),
        SelfReferredRedemptions(
            world["numncoop"].pk, "Num'n'coop", "44306184100047", self_referred=0, redeemed=2
        ),
    ]
    assert rows[0].share == pytest.approx(0.6667)
    assert rows[1].share == 0.0
    assert self_referred_redemptions(other)[0].share == 1.0


def test_ordered_by_share_then_count(world, programme):
    dep = world["department"]
    ml_people = passes_referred_by(dep, world["ml_referrer"])
    ccas_people = passes_referred_by(dep, world["ccas"])
    ccas_provider = OrganisationFactory(
        programme=programme, kind=Kind.PROVIDER, name="CCAS (atelier)", siret=OTHER_SIRET
    )
    redeem_directly(world["ml_provider"], ml_people[:1])  # 1 / 1
    redeem_directly(ccas_provider, ccas_people[:2])  # 2 / 3
    redeem_directly(ccas_provider, ml_people[1:2])
    redeem_directly(world["numncoop"], ml_people[2:4])  # 0 / 2

    rows = self_referred_redemptions(programme)

    assert [(r.name, r.self_referred, r.redeemed) for r in rows] == [
        ("Mission Locale (formation)", 1, 1),
        ("CCAS (atelier)", 2, 3),
        ("Num'n'coop", 0, 2),
    ]


def test_nothing_redeemed_nothing_to_show(world, programme):
    passes_referred_by(world["department"], world["ml_referrer"])
    assert self_referred_redemptions(programme) == []


def test_another_establishment_of_the_same_company_counts(world, programme):
    """Same SIREN (first 9 digits), another SIRET: still the same organisation."""
    antenna = OrganisationFactory(
        programme=programme,
        kind=Kind.PROVIDER,
        name="Mission Locale (antenne de Marvejols)",
        siret=MISSION_LOCALE[:9] + "00021",
    )
    redeem_directly(antenna, passes_referred_by(world["department"], world["ml_referrer"], 2))
    (row,) = [r for r in self_referred_redemptions(programme) if r.name == antenna.name]
    assert (row.self_referred, row.redeemed) == (2, 2)
