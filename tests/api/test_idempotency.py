"""``Idempotency-Key`` on POST /redemptions and POST /referrals/{id}/prescribe: a client that
lost the answer sends the request again and gets the first answer, not « already redeemed »
for its own success; another body with the same key is refused; a twin sent at the same time
acts once (PostgreSQL)."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from passnum.api.models import IdempotentRequest
from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind as Kind
from passnum.passes.enums import PassStatus
from passnum.passes.models import Checkbook, Pass
from passnum.passes.services import generate_passes
from passnum.redemptions.models import Redemption, Session
from passnum.referrals.models import Prescription
from tests.conftest import token_for
from tests.factories import AccreditationFactory, MembershipFactory, ReferralFactory
from tests.redemptions.factories import checkbook_codes

REDEEM = "/api/v1/redemptions"


@pytest.fixture(autouse=True)
def programme_covers_today(programme):
    today = timezone.localdate()
    programme.starts_on = min(programme.starts_on, today - timedelta(days=1))
    programme.ends_on = max(programme.ends_on, today + timedelta(days=400))
    programme.save()


@pytest.fixture
def provider(api_as):
    client, actor = api_as(Kind.PROVIDER)
    AccreditationFactory(organisation=actor.organisation)
    return client, actor


@pytest.fixture
def book(programme):
    return checkbook_codes(programme, on=timezone.localdate())


def body(codes_):
    return {
        "codes": codes_,
        "date": timezone.localdate().isoformat(),
        "duration_minutes": 60 * len(codes_),
        "services": ["outils_quotidien"],
    }


def post(client, url, payload, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url, payload, content_type="application/json", headers=headers)


def ledger():
    return {
        "sessions": Session.objects.count(),
        "redemptions": Redemption.objects.count(),
        "redeemed": Pass.objects.filter(status=PassStatus.REDEEMED).count(),
        "journal": JournalEntry.objects.count(),
    }


def test_without_a_key_a_retry_is_told_already_redeemed(provider, book):
    """Today's behaviour without the header, kept: the key is what changes it."""
    client, _ = provider
    payload = body([book[0][1]])
    assert post(client, REDEEM, payload).status_code == 201
    assert post(client, REDEEM, payload).json()["code"] == "already_redeemed"


def test_a_retried_redemption_replays_its_first_answer(provider, book):
    client, _ = provider
    payload = body([book[1][1], book[0][1]])
    key = str(uuid.uuid4())
    first = post(client, REDEEM, payload, key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    after_first = ledger()

    again = post(client, REDEEM, payload, key)

    assert again.status_code == 201
    assert again.json() == first.json()  # the serials in the order typed, the amount
    assert again.headers["Idempotent-Replayed"] == "true"
    assert ledger() == after_first  # nothing done twice
    assert IdempotentRequest.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(provider, book):
    client, _ = provider
    key = "cle-1"
    assert post(client, REDEEM, body([book[0][1]]), key).status_code == 201
    before = ledger()
    response = post(client, REDEEM, body([book[1][1]]), key)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "nouvelle clé" in response.json()["detail"]
    assert ledger() == before


def test_a_refusal_is_not_remembered(provider, book, programme, make_actor):
    """A refused request changed nothing: sent again with its key, it runs again."""
    client, _ = provider
    key = "cle-refus"
    unknown = "ZZZZ-ZZZZ-ZZZ0"
    first = post(client, REDEEM, body([book[0][1], unknown]), key)
    assert first.status_code in (404, 422)
    assert not IdempotentRequest.objects.exists()
    assert post(client, REDEEM, body([book[0][1]]), key).status_code == 201


def test_keys_belong_to_their_member(provider, book, programme):
    client, actor = provider
    payload = body([book[0][1]])
    assert post(client, REDEEM, payload, "partagee").status_code == 201
    colleague = MembershipFactory(organisation=actor.organisation)
    other = Client(
        headers={"Authorization": f"Bearer {token_for(Client(), colleague.user.username)}"}
    )
    # the colleague's own key: a new request, refused as the pass is used
    assert post(other, REDEEM, payload, "partagee").json()["code"] == "already_redeemed"


def test_an_expired_key_is_a_new_key(provider, book):
    client, _ = provider
    assert post(client, REDEEM, body([book[0][1]]), "vieille").status_code == 201
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = post(client, REDEEM, body([book[1][1]]), "vieille")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers


@pytest.mark.parametrize("key", ["", "é" * 3, "a b", "x" * 256])
def test_a_malformed_key_is_refused(provider, book, key):
    client, _ = provider
    before = ledger()
    response = client.post(
        REDEEM,
        body([book[0][1]]),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 422
    assert ledger() == before


def test_a_replayed_redemption_stays_as_it_was_after_an_undo(provider, book):
    client, _ = provider
    payload = body([book[0][1]])
    first = post(client, REDEEM, payload, "k")
    session = first.json()["session_id"]
    client.post(
        f"/api/v1/sessions/{session}/undo",
        {"reason": "Erreur de saisie"},
        content_type="application/json",
    )
    again = post(client, REDEEM, payload, "k")
    assert again.json() == first.json()


# Prescription --------------------------------------------------------------------------------


@pytest.fixture
def department(api_as, programme):
    generate_passes(programme, 20)
    return api_as(Kind.DEPARTMENT)


def test_a_retried_prescription_replays_the_checkbook(department, programme):
    client, _ = department
    referral = ReferralFactory(beneficiary__programme=programme)
    url = f"/api/v1/referrals/{referral.pk}/prescribe"
    first = post(client, url, {}, "prescription-1")
    assert first.status_code == 201
    again = post(client, url, {}, "prescription-1")
    assert again.status_code == 201
    assert again.json() == first.json()  # the same checkbook and codes
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (Checkbook.objects.count(), Prescription.objects.count()) == (1, 1)
    # Without the key, the second one is told the truth: not pending any more.
    assert post(client, url, {}).json()["code"] == "not_pending"


def test_a_prescription_key_used_for_another_referral_is_refused(department, programme):
    client, _ = department
    first, second = (ReferralFactory(beneficiary__programme=programme) for _ in range(2))
    post(client, f"/api/v1/referrals/{first.pk}/prescribe", {}, "k")
    response = post(client, f"/api/v1/referrals/{second.pk}/prescribe", {}, "k")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Checkbook.objects.count() == 1


# Twins at the same instant (PostgreSQL) ------------------------------------------------------


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def work(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_twins_sent_at_once_act_once_and_answer_alike(postgres_only, provider, book, round_):
    client, _ = provider
    payload = body([book[0][1], book[1][1]])
    key = f"jumeaux-{round_}"
    first, second = run_together(
        lambda: post(client, REDEEM, payload, key), lambda: post(client, REDEEM, payload, key)
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert Session.objects.count() == 1
    assert Redemption.objects.count() == 2
    assert IdempotentRequest.objects.count() == 1
