from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from passnum.common.models import ThrottleHit
from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes, keys
from passnum.passes.lookup import MAX_FAILURES
from passnum.passes.models import Pass
from passnum.passes.services import generate_passes
from passnum.referrals.services import prescribe
from tests.factories import ProgrammeFactory, ReferralFactory

Kind = OrganisationKind
# Only 0s, 1s and letters that have no look-alike, so that O/I/L spellings can be typed.
PAYLOAD = "0A1B0C1D0E1"
CODE = PAYLOAD + codes.check_symbol(PAYLOAD)
UNKNOWN_CODE = {"detail": "Aucun pass ne correspond à ce code.", "code": "unknown_code"}
MALFORMED = {"detail": codes.MalformedCode.message, "code": "malformed_code"}


URL = "/api/v1/passes/lookup"


def lookup(client, text: str):
    """The code travels in the body, never in the address (access logs keep addresses)."""
    return client.post(URL, {"code": text}, content_type="application/json")


def state() -> dict:
    return {
        "passes": dict(Pass.objects.order_by().values_list("status").annotate(n=Count("pk"))),
        "journal": JournalEntry.objects.count(),
    }


def pass_with_code(programme, code=CODE, serial="48-2026-900001") -> Pass:
    return Pass.objects.create(
        programme=programme,
        serial=serial,
        code_digest=keys.digest(code),
        code_encrypted=keys.encrypt(code),
        value_cents=programme.pass_value_cents,
    )


def other_symbol(symbol: str) -> str:
    return next(s for s in codes.ALPHABET if s != symbol)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(Kind.REFERRER, 403), (Kind.DEPARTMENT, 200), (Kind.PROVIDER, 200), (Kind.OPERATOR, 403)],
)
def test_who_may_check_a_pass(api_as, programme, kind, expected):
    client, _ = api_as(kind)
    pass_with_code(programme)
    response = lookup(client, codes.display(CODE))
    assert response.status_code == expected
    if expected == 403:
        assert response.json() == {
            "detail": "Votre rôle ne permet pas de consulter un pass.",
            "code": "forbidden",
        }
        assert not ThrottleHit.objects.exists()
    else:
        assert response.json()["serial"] == "48-2026-900001"


def test_a_prescribed_pass_shows_nothing_of_its_person(api_as, make_actor, programme):
    client, _ = api_as(Kind.PROVIDER)
    generate_passes(programme, 5)
    referral = ReferralFactory(beneficiary__programme=programme)
    checkbook = prescribe(make_actor(Kind.DEPARTMENT), referral).checkbook
    pass_ = checkbook.passes.order_by("serial").first()
    code = keys.decrypt(pass_.code_encrypted)
    before = state()
    response = lookup(client, codes.display(code))
    assert response.status_code == 200
    assert response.json() == {
        "serial": pass_.serial,
        "status": "assigned",
        "expires_on": checkbook.expires_on.isoformat(),
        "value_cents": 1000,
    }
    text = response.content.decode()
    assert referral.beneficiary.last_name not in text
    assert referral.beneficiary.first_name not in text
    assert state() == before  # a lookup changes nothing


def test_a_pass_in_stock_has_no_end_date(api_as, programme):
    client, _ = api_as(Kind.DEPARTMENT)
    pass_with_code(programme)
    assert lookup(client, CODE).json() == {
        "serial": "48-2026-900001",
        "status": "available",
        "expires_on": None,
        "value_cents": 1000,
    }


@pytest.mark.parametrize(
    "typed",
    [
        CODE.lower(),
        " ".join(codes.display(CODE).split("-")),
        f"  {codes.display(CODE).lower()}  ",
        CODE.replace("0", "O").replace("1", "I"),
        CODE.replace("0", "o").replace("1", "l"),
        CODE.replace("1", "L"),
    ],
)
def test_typed_codes_are_read_tolerantly(api_as, programme, typed):
    client, _ = api_as(Kind.PROVIDER)
    pass_with_code(programme)
    response = lookup(client, typed)
    assert response.status_code == 200, typed
    assert response.json()["serial"] == "48-2026-900001"
    assert not ThrottleHit.objects.exists()


@pytest.mark.parametrize("position", [0, 5, 11])
def test_one_wrong_character_is_malformed(api_as, programme, position):
    client, _ = api_as(Kind.PROVIDER)
    pass_with_code(programme)
    typo = CODE[:position] + other_symbol(CODE[position]) + CODE[position + 1 :]
    before = state()
    response = lookup(client, codes.display(typo))
    assert response.status_code == 422
    assert response.json() == MALFORMED
    assert response.json()["detail"].startswith("Ce code de pass n'est pas valide : vérifiez")
    assert state() == before
    # counted towards the throttle, for the member and for the organisation
    assert ThrottleHit.objects.count() == 2


def test_a_well_formed_unknown_code_is_not_found(api_as, programme):
    client, _ = api_as(Kind.DEPARTMENT)
    pass_with_code(programme)
    payload = "ZZZZZZZZZZZ"
    response = lookup(client, payload + codes.check_symbol(payload))
    assert response.status_code == 404
    assert response.json() == UNKNOWN_CODE


def test_another_programme_pass_is_unknown(api_as, programme):
    client, _ = api_as(Kind.PROVIDER)
    pass_with_code(ProgrammeFactory())
    response = lookup(client, CODE)
    assert response.status_code == 404
    assert response.json() == UNKNOWN_CODE


def test_too_many_failures_are_throttled(api_as, programme):
    client, _ = api_as(Kind.PROVIDER)
    pass_with_code(programme)
    typo = other_symbol(CODE[0]) + CODE[1:]
    for _ in range(MAX_FAILURES):
        assert lookup(client, typo).status_code == 422
    response = lookup(client, CODE)  # even the right code, for now
    assert response.status_code == 429
    assert response.json() == {
        "detail": "Trop de codes erronés : réessayez dans 15 minutes.",
        "code": "throttled",
    }
    # another member is not slowed down by this one's failures
    other, _ = api_as(Kind.PROVIDER)
    assert lookup(other, CODE).status_code == 200
    # the window passes
    ThrottleHit.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert lookup(client, CODE).status_code == 200


@pytest.mark.parametrize("kind", [Kind.PROVIDER, Kind.OPERATOR])
def test_the_code_is_no_longer_read_from_the_address(api_as, programme, kind):
    client, _ = api_as(kind)
    pass_with_code(programme)
    response = client.get(f"/api/v1/passes/{codes.display(CODE)}")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Point d'accès inconnu : consultez /api/v1/docs.",
        "code": "not_found",
    }
    assert not ThrottleHit.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "code"), ({"code": "A" * 41}, "code"), ({"code": CODE, "serial": "x"}, "serial")],
)
def test_a_malformed_body_is_422(api_as, programme, payload, field):
    client, _ = api_as(Kind.PROVIDER)
    response = client.post(URL, payload, content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not ThrottleHit.objects.exists()


def test_an_empty_code_is_malformed(api_as, programme):
    client, _ = api_as(Kind.PROVIDER)
    response = lookup(client, "  ")
    assert response.status_code == 422
    assert response.json() == MALFORMED


def test_without_a_token_is_401(client, programme):
    pass_with_code(programme)
    response = lookup(client, CODE)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
