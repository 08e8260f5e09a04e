import pytest

from passnum.common.exceptions import NotAllowed
from passnum.organisations.enums import OrganisationKind as Kind
from passnum.organisations.permissions import Capability as C
from passnum.organisations.permissions import can, ensure_can
from tests.factories import ProgrammeFactory

# Who may do what. The operator steers from aggregates: no referral, no person, no pass lookup;
# a funder reads the indicators and reports of its programme, nothing else.
EXPECTED = {
    C.REFER: {Kind.REFERRER, Kind.DEPARTMENT},
    C.VIEW_REFERRALS: {Kind.REFERRER, Kind.DEPARTMENT},
    C.VIEW_ALL_REFERRALS: {Kind.DEPARTMENT},
    C.VIEW_PEOPLE: {Kind.REFERRER, Kind.DEPARTMENT},
    C.PRESCRIBE: {Kind.DEPARTMENT},
    C.PRINT_CHECKBOOK: {Kind.DEPARTMENT},
    C.REPLACE_LOST_PASSES: {Kind.DEPARTMENT},
    C.LOOKUP_PASS: {Kind.PROVIDER, Kind.DEPARTMENT},
    C.REDEEM: {Kind.PROVIDER},
    C.DECLARE_OFFER: {Kind.PROVIDER},
    C.VIEW_OWN_STATEMENTS: {Kind.PROVIDER, Kind.OPERATOR},
    C.VIEW_ALL_STATEMENTS: {Kind.OPERATOR},
    C.VIEW_STATS: {Kind.DEPARTMENT, Kind.OPERATOR, Kind.FUNDER},
    C.MANAGE_PROGRAMME: {Kind.OPERATOR},
    C.MANAGE_FRAMEWORK: {Kind.OPERATOR},
    C.ACCREDIT_PROVIDERS: {Kind.OPERATOR},
    C.MANAGE_STATEMENTS: {Kind.OPERATOR},
    C.EXPORT: {Kind.OPERATOR},
    C.EXPORT_REFERRALS: {Kind.DEPARTMENT, Kind.OPERATOR},
    C.VIEW_REPORTS: {Kind.OPERATOR, Kind.FUNDER},
    C.VIEW_MISUSE: {Kind.OPERATOR},
    C.FOLLOW_UP: {Kind.REFERRER, Kind.DEPARTMENT},
    C.MONITOR_EMAILS: {Kind.OPERATOR},
}


def test_every_capability_is_specified():
    assert set(EXPECTED) == set(C)


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("capability", list(C))
def test_capabilities_per_role(make_actor, kind, capability):
    actor = make_actor(kind)
    allowed = kind in EXPECTED[capability]
    assert can(actor, capability) is allowed
    if allowed:
        ensure_can(actor, capability, programme=actor.programme)
    else:
        with pytest.raises(NotAllowed) as excinfo:
            ensure_can(actor, capability)
        assert excinfo.value.code == "forbidden"


def test_a_referrer_can_never_prescribe(make_actor):
    with pytest.raises(NotAllowed, match="Seul le Département peut prescrire"):
        ensure_can(make_actor(Kind.REFERRER), C.PRESCRIBE)


def test_a_provider_sees_no_personal_data(make_actor):
    with pytest.raises(NotAllowed, match="données des personnes"):
        ensure_can(make_actor(Kind.PROVIDER), C.VIEW_PEOPLE)


@pytest.mark.parametrize("kind", list(Kind))
def test_no_one_acts_on_another_programme(make_actor, kind):
    actor = make_actor(kind)
    other = ProgrammeFactory(territory_code="12")
    capability = next(c for c in EXPECTED if kind in EXPECTED[c])
    with pytest.raises(NotAllowed) as excinfo:
        ensure_can(actor, capability, programme=other)
    assert excinfo.value.code == "other_programme"


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER])
def test_only_the_operator_follows_the_emails(make_actor, kind):
    with pytest.raises(NotAllowed, match=r"Seul le pilote suit l'envoi des courriels\."):
        ensure_can(make_actor(kind), C.MONITOR_EMAILS)


def test_no_actor_may_do_anything(db):
    assert not can(None, C.VIEW_REFERRALS)
    with pytest.raises(NotAllowed, match="membre actif"):
        ensure_can(None, C.VIEW_REFERRALS)
