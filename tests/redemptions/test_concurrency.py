"""Two providers redeem the same pass at the same instant, on PostgreSQL: the row locks (and
the partial unique constraint behind them) let exactly one succeed."""

import threading
from datetime import date

import pytest
from django.db import connection

from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.redemptions.exceptions import RedemptionRefused
from passnum.redemptions.models import Redemption, Session
from passnum.redemptions.services import redeem
from tests.factories import ProgrammeFactory

from .factories import checkbook_codes, provider_actor

DAY = date(2026, 3, 10)
ROUNDS = 5

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def run_together(*calls):
    """Run each call in its own thread, released at the same instant; their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def work(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # the outcome is what the test checks
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def declare(actor, codes):
    return redeem(
        actor,
        codes=codes,
        date=DAY,
        duration_minutes=60 * len(codes),
        services=["outils_quotidien"],
        today=DAY,
    )


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_one_pass_redeemed_by_two_providers_at_once(postgres_only, round_):
    programme = ProgrammeFactory()
    book = checkbook_codes(programme)
    first, second = provider_actor(programme), provider_actor(programme)
    pass_, code = book[0]

    outcomes = run_together(lambda: declare(first, [code]), lambda: declare(second, [code]))

    won = [o for o in outcomes if isinstance(o, Session)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    assert len(lost) == 1, outcomes
    assert isinstance(lost[0], RedemptionRefused), outcomes
    assert lost[0].code == "already_redeemed"
    assert [p["input"] for p in lost[0].passes] == [code]
    assert Redemption.objects.filter(pass_obj=pass_).count() == 1
    assert Session.objects.filter(programme=programme).count() == 1
    assert Pass.objects.get(pk=pass_.pk).status == PassStatus.REDEEMED


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_overlapping_requests_all_or_nothing(postgres_only, round_):
    """Two requests sharing one pass, in opposite orders: one wins whole, the other changes
    nothing (and the locks taken in key order do not deadlock)."""
    programme = ProgrammeFactory()
    one, two = checkbook_codes(programme), checkbook_codes(programme)
    first, second = provider_actor(programme), provider_actor(programme)
    shared = one[0][1]

    outcomes = run_together(
        lambda: declare(first, [shared, two[0][1]]),
        lambda: declare(second, [two[1][1], shared]),
    )

    assert sorted(type(o).__name__ for o in outcomes) == [
        "RedemptionRefusedConflict",
        "Session",
    ], outcomes
    won = next(o for o in outcomes if isinstance(o, Session))
    assert Redemption.objects.filter(session__programme=programme).count() == 2
    assert set(Redemption.objects.values_list("session_id", flat=True)) == {won.pk}
    redeemed = Pass.objects.filter(programme=programme, status=PassStatus.REDEEMED).count()
    assert redeemed == 2
