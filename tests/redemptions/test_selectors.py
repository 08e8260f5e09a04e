"""What a provider sees of its sessions: its own only, newest first, counted in one query."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passnum.common.exceptions import NotAllowed, NotFound
from passnum.organisations.enums import OrganisationKind
from passnum.redemptions.selectors import redeemed_serials, session_for, sessions_of
from passnum.redemptions.services import redeem, undo_session

from .factories import checkbook_codes, provider_actor

DAY = date(2026, 3, 10)


def declare(actor, codes, minutes=60):
    return redeem(
        actor, codes=codes, date=DAY, duration_minutes=minutes, services=["securite"], today=DAY
    )


def test_sessions_of_lists_its_own_with_counts_in_one_query(programme):
    provider, other = provider_actor(programme), provider_actor(programme)
    books = [checkbook_codes(programme) for _ in range(3)]
    first = declare(provider, [books[0][0][1], books[1][0][1]])
    second = declare(provider, [c for _, c in books[2][:3]], minutes=180)
    undone = declare(provider, [books[0][1][1]])
    undo_session(provider, undone, "Erreur", today=DAY)
    declare(other, [books[1][1][1]])

    with CaptureQueriesContext(connection) as queries:
        sessions = list(sessions_of(provider))
        facts = [(s.pk, s.passes_count, s.amount_cents, s.in_statement) for s in sessions]
        [(s.path, s.place) for s in sessions]
    assert len(queries) == 1
    assert facts == [
        (undone.pk, 0, 0, False),  # undone: nothing redeemed any more
        (second.pk, 3, 3_000, False),
        (first.pk, 2, 2_000, False),
    ]


def test_session_for_refuses_other_organisations(programme):
    provider, other = provider_actor(programme), provider_actor(programme)
    book = checkbook_codes(programme)
    session = declare(provider, [book[0][1], book[1][1]], minutes=120)
    found = session_for(provider, session.pk)
    assert (found.passes_count, found.amount_cents) == (2, 2_000)
    assert redeemed_serials(found) == [book[0][0].serial, book[1][0].serial]
    with pytest.raises(NotFound):
        session_for(other, session.pk)
    with pytest.raises(NotFound):
        session_for(provider, session.pk + 1000)


@pytest.mark.parametrize(
    "kind", [OrganisationKind.REFERRER, OrganisationKind.DEPARTMENT, OrganisationKind.OPERATOR]
)
def test_other_roles_have_no_sessions(make_actor, kind):
    with pytest.raises(NotAllowed):
        sessions_of(make_actor(kind))
