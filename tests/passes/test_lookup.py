"""Finding a pass from a typed code: tolerant input, refused before any query when mistyped,
blind to other programmes, throttled after repeated failures."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from passnum.common.exceptions import NotAllowed
from passnum.common.models import ThrottleHit
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes, keys
from passnum.passes.exceptions import MalformedCode, UnknownCode
from passnum.passes.lookup import (
    CODE_FAILURES,
    MAX_FAILURES,
    TooManyLookups,
    find_pass,
    lookup_pass,
)
from passnum.passes.services import generate_passes
from tests.factories import ProgrammeFactory

TODAY = date(2026, 3, 2)


@pytest.fixture
def stock(programme):
    """Three passes of the programme and their codes in clear."""
    passes = generate_passes(programme, 3, today=TODAY)
    return [(p, keys.decrypt(p.code_encrypted)) for p in passes]


def unknown_code() -> str:
    return codes.generate()  # valid, but no pass has it (55 random bits)


def wrong_check(code: str) -> str:
    return code[:-1] + codes.ALPHABET[(codes.ALPHABET.index(code[-1]) + 1) % 32]


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: codes.display(c),
        lambda c: c,
        lambda c: codes.display(c).lower(),
        lambda c: " ".join(codes.display(c).replace("-", "")),
        lambda c: f"  {c[:4]} {c[4:8]}  {c[8:]} ",
    ],
)
def test_find_pass_by_any_typed_form(programme, stock, typed):
    pass_, code = stock[1]
    found = find_pass(programme, typed(code), limits={"test": MAX_FAILURES})
    assert found.pk == pass_.pk
    assert not ThrottleHit.objects.exists()


@pytest.mark.parametrize("kind", [OrganisationKind.PROVIDER, OrganisationKind.DEPARTMENT])
def test_lookup_pass_by_role(make_actor, stock, kind):
    pass_, code = stock[0]
    assert lookup_pass(make_actor(kind), codes.display(code).lower()).pk == pass_.pk


@pytest.mark.parametrize("kind", [OrganisationKind.REFERRER, OrganisationKind.OPERATOR])
def test_a_referrer_or_the_operator_cannot_look_up_a_pass(make_actor, stock, kind):
    with pytest.raises(NotAllowed):
        lookup_pass(make_actor(kind), stock[0][1])
    assert not ThrottleHit.objects.exists()


def test_a_mistyped_code_is_refused_before_any_pass_query(
    make_actor, stock, django_assert_num_queries
):
    provider = make_actor(OrganisationKind.PROVIDER)
    mistyped = wrong_check(stock[0][1])
    # Only the throttle's queries: count the failures, record them, purge old ones, recount.
    with django_assert_num_queries(4) as captured, pytest.raises(MalformedCode):
        lookup_pass(provider, codes.display(mistyped))
    sql = [q["sql"] for q in captured.captured_queries]
    assert all(ThrottleHit._meta.db_table in s for s in sql), sql
    assert not any('passes_pass"' in s or "passes_pass " in s for s in sql), sql
    assert CODE_FAILURES.stored(f"membership:{provider.membership.pk}").count() == 1


@pytest.mark.parametrize("text", ["", "K7QM", "K7QM-9T2D-XH4U", "K7QM-9T2D-XH4P", "👍" * 12])
def test_malformed_inputs(programme, text):
    with pytest.raises(MalformedCode) as excinfo:
        find_pass(programme, text, limits={"test": MAX_FAILURES})
    assert excinfo.value.code == "malformed_code"
    assert CODE_FAILURES.stored("test").count() == 1


def test_an_unknown_code_is_unknown(programme, stock):
    with pytest.raises(UnknownCode) as excinfo:
        find_pass(programme, unknown_code(), limits={"test": MAX_FAILURES})
    assert excinfo.value.code == "unknown_code"
    assert CODE_FAILURES.stored("test").count() == 1


def test_another_programmes_pass_is_unknown(make_actor, stock):
    other = ProgrammeFactory()
    [foreign] = generate_passes(other, 1, today=TODAY)
    code = keys.decrypt(foreign.code_encrypted)
    assert find_pass(other, code, limits={"other": MAX_FAILURES}).pk == foreign.pk
    with pytest.raises(UnknownCode):
        lookup_pass(make_actor(OrganisationKind.DEPARTMENT), code)


def test_too_many_failures_refuse_even_a_good_code(make_actor, stock):
    provider = make_actor(OrganisationKind.PROVIDER)
    good = stock[0][1]
    for attempt in range(MAX_FAILURES):
        bad = unknown_code() if attempt % 2 else wrong_check(good)
        with pytest.raises((UnknownCode, MalformedCode)):
            lookup_pass(provider, bad)
    with pytest.raises(TooManyLookups) as excinfo:
        lookup_pass(provider, good)
    assert excinfo.value.code == "throttled"
    assert "15 minutes" in excinfo.value.message
    # Someone else is not throttled by these failures.
    assert lookup_pass(make_actor(OrganisationKind.PROVIDER), good).pk == stock[0][0].pk


def test_one_failure_short_of_the_limit_still_finds(make_actor, stock):
    provider = make_actor(OrganisationKind.PROVIDER)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(UnknownCode):
            lookup_pass(provider, unknown_code())
    assert lookup_pass(provider, stock[2][1]).pk == stock[2][0].pk


def test_old_failures_no_longer_count(make_actor, stock):
    provider = make_actor(OrganisationKind.PROVIDER)
    key = f"membership:{provider.membership.pk}"
    CODE_FAILURES.record({key: MAX_FAILURES}, MAX_FAILURES)
    with pytest.raises(TooManyLookups):
        lookup_pass(provider, stock[0][1])
    CODE_FAILURES.stored(key).update(at=timezone.now() - timedelta(minutes=16))
    assert lookup_pass(provider, stock[0][1]).pk == stock[0][0].pk
    # The next failure purges the old ones.
    with pytest.raises(UnknownCode):
        lookup_pass(provider, unknown_code())
    assert CODE_FAILURES.stored(key).count() == 1


def test_the_members_of_one_organisation_share_a_larger_limit(make_actor, stock):
    from passnum.organisations.models import Membership
    from passnum.passes.lookup import MAX_FAILURES_PER_ORGANISATION
    from tests.factories import MembershipFactory

    first = make_actor(OrganisationKind.PROVIDER)
    organisation = first.organisation
    members = [first] + [
        type(first)(MembershipFactory(organisation=organisation))
        for _ in range(MAX_FAILURES_PER_ORGANISATION // MAX_FAILURES)
    ]
    failures = 0
    for member in members:
        for _ in range(MAX_FAILURES - 1):
            if failures == MAX_FAILURES_PER_ORGANISATION:
                break
            with pytest.raises(UnknownCode):
                lookup_pass(member, unknown_code())
            failures += 1
    # Every member is under its own limit, but the organisation has used up its own.
    fresh = type(first)(MembershipFactory(organisation=organisation))
    with pytest.raises(TooManyLookups):
        lookup_pass(fresh, stock[0][1])
    assert Membership.objects.filter(organisation=organisation).count() == len(members) + 1
    # Another organisation is not affected.
    assert lookup_pass(make_actor(OrganisationKind.PROVIDER), stock[0][1]).pk == stock[0][0].pk


def test_a_failure_beyond_the_limit_is_refused_as_throttled(make_actor, stock):
    """Concurrent guesses that passed the first check are caught once counted."""
    provider = make_actor(OrganisationKind.PROVIDER)
    key = f"membership:{provider.membership.pk}"
    CODE_FAILURES.record({key: MAX_FAILURES - 1}, MAX_FAILURES - 1)
    from passnum.passes import lookup

    # the check saw 19 failures; two more are counted by the time this one is
    CODE_FAILURES.record({key: MAX_FAILURES})
    with pytest.raises(TooManyLookups):
        lookup._fail(lookup.limits_for(provider), UnknownCode())
