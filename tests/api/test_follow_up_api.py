"""``GET /follow-up`` and ``POST /referrals/{id}/remind``: per role, the referrer limited to its
own organisation's people, pagination, errors, query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from passnum.journal.models import JournalEntry
from passnum.notifications.models import Email, EmailKind
from passnum.organisations.actor import Actor
from passnum.organisations.enums import OrganisationKind as Kind
from passnum.passes.models import Reminder
from tests.conftest import token_for
from tests.factories import MembershipFactory, ReferralFactory
from tests.referrals.follow_up import Dormant

DAY = timedelta(days=1)


@pytest.fixture
def world(programme):
    today = timezone.localdate()
    programme.starts_on = today - 400 * DAY
    programme.ends_on = today + 400 * DAY
    programme.save()
    return Dormant(programme)


@pytest.fixture
def client_of(client):
    def make(actor: Actor):
        from django.test import Client

        token = token_for(client, actor.user.username)
        return Client(headers={"Authorization": f"Bearer {token}"})

    return make


def ago(days):
    return timezone.localdate() - days * DAY


def test_referrer_sees_its_own_people_only(world, client_of):
    mine = world.checkbook(on=ago(40), email="jeanne@exemple.fr")
    world.checkbook(by=world.other_referrer, on=ago(40))
    recent = world.checkbook(on=ago(10))  # not dormant yet

    response = client_of(world.referrer).get("/api/v1/follow-up")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "items": [
            {
                "referral_id": mine.prescription.referral_id,
                "checkbook_number": mine.number,
                "passes_left": 5,
                "expires_on": mine.expires_on.isoformat(),
                "last_reminded_on": None,
                "reason": "unused_30_days",
            }
        ],
        "count": 1,
    }
    assert recent.number not in [i["checkbook_number"] for i in response.json()["items"]]


def test_department_sees_all_with_reason_filter_and_pages(world, client_of):
    unused = [world.checkbook(on=ago(40)) for _ in range(3)]
    ending = world.checkbook(by=world.other_referrer, on=ago(170))
    world.use(ending, on=ago(160))
    client = client_of(world.department)

    everything = client.get("/api/v1/follow-up").json()
    assert everything["count"] == 4
    assert everything["items"][0]["checkbook_number"] == ending.number  # ends first
    assert everything["items"][0]["reason"] == "expiring_soon"
    assert everything["items"][0]["passes_left"] == 4

    page = client.get("/api/v1/follow-up?limit=2&offset=2").json()
    assert page["count"] == 4
    assert [i["checkbook_number"] for i in page["items"]] == [
        c.number for c in sorted(unused, key=lambda c: (c.expires_on, c.number))[1:]
    ]
    assert client.get("/api/v1/follow-up?reason=expiring_soon").json()["count"] == 1

    wrong = client.get("/api/v1/follow-up?reason=endormi")
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "invalid_input"
    assert "Motif inconnu" in wrong.json()["detail"]
    assert client.get("/api/v1/follow-up?limit=0").status_code == 422


@pytest.mark.parametrize("kind", [Kind.PROVIDER, Kind.OPERATOR, Kind.FUNDER])
def test_other_roles_are_refused(world, client_of, kind):
    checkbook = world.checkbook(on=ago(40))
    client = client_of(
        Actor(MembershipFactory(organisation__programme=world.programme, organisation__kind=kind))
    )
    assert client.get("/api/v1/follow-up").status_code == 403
    response = client.post(f"/api/v1/referrals/{checkbook.prescription.referral_id}/remind")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Reminder.objects.exists()


def test_without_token(world, client):
    assert client.get("/api/v1/follow-up").status_code == 401
    assert client.post("/api/v1/referrals/1/remind").status_code == 401


def test_remind_queues_an_email_and_is_listed(world, client_of):
    checkbook = world.checkbook(on=ago(40), email="jeanne@exemple.fr")
    referral_id = checkbook.prescription.referral_id
    client = client_of(world.referrer)

    response = client.post(f"/api/v1/referrals/{referral_id}/remind")

    assert response.status_code == 201, response.content
    reminder = Reminder.objects.get()
    assert response.json() == {
        "id": reminder.pk,
        "referral_id": referral_id,
        "checkbook_number": checkbook.number,
        "channel": "email",
        "reminded_on": timezone.localdate().isoformat(),
        "passes_left": 5,
    }
    assert Email.objects.get().kind == EmailKind.REMINDER_FOLLOW_UP
    assert JournalEntry.objects.filter(action="reminded").count() == 1
    listed = client.get("/api/v1/follow-up").json()["items"][0]
    assert listed["last_reminded_on"] == timezone.localdate().isoformat()

    again = client.post(f"/api/v1/referrals/{referral_id}/remind")
    assert again.status_code == 409
    assert again.json()["code"] == "already_reminded_today"
    assert Reminder.objects.count() == 1


def test_remind_without_email_records_a_letter(world, client_of):
    checkbook = world.checkbook(on=ago(40))
    response = client_of(world.department).post(
        f"/api/v1/referrals/{checkbook.prescription.referral_id}/remind"
    )
    assert response.status_code == 201
    assert response.json()["channel"] == "letter"
    assert not Email.objects.exists()


def test_remind_refusals(world, client_of):
    theirs = world.checkbook(by=world.other_referrer, on=ago(40))
    used = world.checkbook(on=ago(40))
    world.use(used, 5)
    pending = ReferralFactory(
        beneficiary__programme=world.programme, organisation=world.referrer.organisation
    )
    client = client_of(world.referrer)

    other = client.post(f"/api/v1/referrals/{theirs.prescription.referral_id}/remind")
    assert other.status_code == 404  # another organisation's person is never revealed
    assert other.json()["code"] == "not_found"
    nothing = client.post(f"/api/v1/referrals/{used.prescription.referral_id}/remind")
    assert (nothing.status_code, nothing.json()["code"]) == (409, "nothing_to_remind")
    not_prescribed = client.post(f"/api/v1/referrals/{pending.pk}/remind")
    assert (not_prescribed.status_code, not_prescribed.json()["code"]) == (
        409,
        "nothing_to_remind",
    )
    assert client.post("/api/v1/referrals/0/remind").status_code == 422
    assert client.post("/api/v1/referrals/999999/remind").status_code == 404
    assert not Reminder.objects.exists()


def test_query_count_does_not_grow_with_the_list(world, client_of, django_assert_max_num_queries):
    client = client_of(world.department)
    world.checkbook(on=ago(40))
    with django_assert_max_num_queries(4) as first:
        assert client.get("/api/v1/follow-up").json()["count"] == 1
    for _ in range(8):
        world.checkbook(on=ago(40))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/api/v1/follow-up").json()["count"] == 9


def test_the_schema_states_statuses_and_values(client, db):
    from passnum.passes.enums import ReminderChannel
    from passnum.referrals.enums import FollowUpReason

    document = client.get("/api/v1/openapi.json").json()
    follow_up = document["paths"]["/api/v1/follow-up"]["get"]
    remind = document["paths"]["/api/v1/referrals/{referral_id}/remind"]["post"]
    assert {"200", "401", "403", "422"} <= set(follow_up["responses"])
    assert {"201", "401", "403", "404", "409", "422"} <= set(remind["responses"])
    reason = {p["name"]: p for p in follow_up["parameters"]}["reason"]
    assert reason["schema"]["enum"] == FollowUpReason.values
    components = document["components"]["schemas"]
    assert components["FollowUpReason"]["enum"] == FollowUpReason.values
    assert components["ReminderChannel"]["enum"] == ReminderChannel.values
