"""Provider pages: « Encaisser des pass », « Mes séances », one session and its undo."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from passnum.journal.models import JournalEntry
from passnum.organisations.enums import OrganisationKind
from passnum.passes import codes
from passnum.passes.enums import PassStatus
from passnum.passes.models import Pass
from passnum.paths.models import Path
from passnum.providers.models import AccreditationStatus
from passnum.redemptions.models import Redemption, Session
from passnum.redemptions.services import redeem
from tests.factories import ProviderPlaceFactory
from tests.redemptions.factories import checkbook_codes, provider_actor

from .test_referrals_pages import field_error, logged_in, plain, text

REFERRER = OrganisationKind.REFERRER
DEPARTMENT = OrganisationKind.DEPARTMENT
PROVIDER = OrganisationKind.PROVIDER
OPERATOR = OrganisationKind.OPERATOR
URL = "/espace/encaisser/"


@pytest.fixture(autouse=True)
def programme_covers_today(programme):
    today = timezone.localdate()
    programme.starts_on = min(programme.starts_on, today - timedelta(days=1))
    programme.ends_on = max(programme.ends_on, today + timedelta(days=400))
    programme.save()


@pytest.fixture
def provider(programme):
    return provider_actor(programme)


@pytest.fixture
def book(programme):
    return checkbook_codes(programme, on=timezone.localdate())


def form_data(*typed, **changes):
    data = {
        "date": timezone.localdate().isoformat(),
        "duration_minutes": "60",
        "services": ["outils_quotidien"],
        "place_type": "own_site",
        "kind": "individual",
    }
    for number, code in enumerate(typed, start=1):
        data[f"code_{number}"] = code
    data.update(changes)
    return data


def state():
    return {
        "passes": list(Pass.objects.order_by("pk").values_list("pk", "status")),
        "sessions": Session.objects.count(),
        "redemptions": Redemption.objects.count(),
        "journal": JournalEntry.objects.count(),
    }


def test_urls():
    assert reverse("www:redeem") == URL
    assert reverse("www:sessions") == "/espace/seances/"
    assert reverse("www:session", args=[3]) == "/espace/seances/3/"
    assert reverse("www:session_undo", args=[3]) == "/espace/seances/3/annuler/"


# Who may


@pytest.mark.parametrize("kind", [REFERRER, DEPARTMENT, OPERATOR])
@pytest.mark.parametrize("url", [URL, "/espace/seances/"])
def test_other_roles_are_refused(make_actor, kind, url):
    response = logged_in(make_actor(kind)).get(url)
    assert response.status_code == 403
    assert "Accès refusé" in text(response)


@pytest.mark.parametrize(
    ("status", "words"),
    [(None, "pas encore habilitée"), (AccreditationStatus.SUSPENDED, "est suspendue")],
)
def test_unaccredited_provider_is_told_why(programme, status, words):
    actor = provider_actor(programme, status)
    response = logged_in(actor).get(URL)
    assert response.status_code == 403
    assert words in text(response)


def test_anonymous_goes_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/connexion/" in response["Location"] or "login" in response["Location"]


# The form


def test_the_form(provider, programme):
    Path.objects.create(programme=programme, name="Accès aux droits", services=["securite"])
    Path.objects.create(programme=programme, name="Ancien", services=["securite"], is_active=False)
    ProviderPlaceFactory(organisation=provider.organisation, name="Maison France Services")
    response = logged_in(provider).get(URL)
    body = text(response)
    assert response.status_code == 200
    assert f'name="date" value="{timezone.localdate().isoformat()}"' in body
    assert [f"{h} h" for h in range(1, 9)] == re.findall(
        r'<option value="\d+"[^>]*>(\d h)</option>', body
    )
    assert "Accès aux droits" in body
    assert "Ancien" not in body
    assert "Maison France Services" in body
    assert body.count('type="checkbox" name="services"') == 8
    assert body.count('type="radio" name="place_type"') == 3
    assert body.count('type="radio" name="kind"') == 2
    for number in range(1, 6):
        assert f'name="code_{number}"' in body
        assert f"Code du pass {number}" in body
    assert 'name="code_6"' not in body
    # the script turns this link into « Ajouter un code » and adds the « Scanner » buttons
    assert 'href="?nombre=10"' in body
    assert 'src="/static/passnum/scan.js"' in body
    assert "<script>" not in body  # no inline script (CSP)


def test_more_fields_without_javascript(provider):
    body = text(logged_in(provider).get(URL + "?nombre=12"))
    assert 'name="code_12"' in body
    assert 'name="code_13"' not in body
    assert 'href="?nombre=17"' in body
    body = text(logged_in(provider).get(URL + "?nombre=500"))
    assert 'name="code_50"' in body
    assert 'name="code_51"' not in body
    assert 'id="plus-de-codes"' not in body


@pytest.mark.parametrize(
    ("asked", "fields"),
    [
        ("²", 5),
        ("1²", 5),
        ("٣", 5),
        ("-7", 5),
        ("0", 5),
        ("500", 50),
        (str(2**64), 5),
        ("9" * 40, 5),
    ],
)
def test_a_number_of_fields_that_is_not_a_number(provider, asked, fields):
    response = logged_in(provider).get(URL, {"nombre": asked})
    assert response.status_code == 200
    body = text(response)
    assert f'name="code_{fields}"' in body
    assert f'name="code_{fields + 1}"' not in body


def test_posted_code_fields_with_odd_numbers(provider, book):
    data = form_data(book[0][1])
    data.update({"code_²": "x", "code_٣": "x", f"code_{2**64}": "x", "nombre": "²"})
    response = logged_in(provider).post(URL, data)
    assert response.status_code == 302
    assert Redemption.objects.count() == 1


def test_redeem_three_passes(provider, book):
    typed = [book[0][1].lower(), " " + book[1][1].replace("-", " "), book[2][1]]
    response = logged_in(provider).post(
        URL, form_data(*typed, duration_minutes="180"), follow=True
    )
    session = Session.objects.get()
    assert response.redirect_chain == [(f"/espace/seances/{session.pk}/", 302)]
    serials = [p.serial for p, _ in book[:3]]
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert (
        f"3 pass encaissés pour la séance du {today} : {', '.join(serials)} (30,00\u00a0€)"
        in plain(response)
    )
    assert set(Pass.objects.filter(serial__in=serials).values_list("status", flat=True)) == {
        PassStatus.REDEEMED
    }
    for serial in serials:
        assert serial in text(response)


def test_codes_posted_beyond_five_fields(provider, programme):
    books = [checkbook_codes(programme, on=timezone.localdate()) for _ in range(2)]
    data = form_data(*[b[0][1] for b in books])
    data["code_7"] = data.pop("code_2")  # added by the script: field 7
    response = logged_in(provider).post(URL, data)
    assert response.status_code == 302
    assert Redemption.objects.count() == 2


def test_one_bad_code_refuses_all_and_names_it(provider, book):
    Pass.objects.filter(pk=book[1][0].pk).update(status=PassStatus.CANCELLED)
    unknown = codes.display(codes.generate())
    before = state()

    response = logged_in(provider).post(
        URL, form_data(book[0][1], book[1][1], unknown, "abc", duration_minutes="240")
    )

    assert response.status_code == 200
    assert state() == before
    assert field_error(response, "code_1") == ""
    assert field_error(response, "code_2").startswith("Ce pass a été annulé")
    assert field_error(response, "code_3").startswith("Aucun pass de ce programme")
    assert field_error(response, "code_4").startswith("Code mal saisi")
    page = plain(response)
    assert "Aucun pass n'a été encaissé : 3 codes sont refusés" in page
    body = text(response)
    assert f'value="{book[0][1]}"' in body  # what was typed stays
    assert 'value="abc"' in body


def test_the_same_code_twice_and_too_many_for_one_person(provider, book):
    response = logged_in(provider).post(URL, form_data(book[0][1], book[0][1].lower()))
    assert field_error(response, "code_2") == "Ce code est saisi deux fois"
    response = logged_in(provider).post(URL, form_data(book[0][1], book[1][1]))
    assert "Trop de pass d'une même personne" in field_error(response, "code_1")
    assert book[1][0].serial in field_error(response, "code_2")
    assert Session.objects.count() == 0


def test_session_errors_on_their_fields(provider, book):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = logged_in(provider).post(URL, form_data(book[0][1], date=tomorrow))
    assert "ne peut pas être dans le futur" in field_error(response, "date")
    response = logged_in(provider).post(URL, form_data(book[0][1], services=[]))
    assert "au moins un service" in field_error(response, "services")
    response = logged_in(provider).post(URL, form_data())
    assert field_error(response, "code_1") == "Saisissez au moins un code de pass."
    assert Session.objects.count() == 0


def test_path_instead_of_services(provider, programme, book):
    path = Path.objects.create(programme=programme, name="Parentalité", services=["parentalite"])
    response = logged_in(provider).post(URL, form_data(book[0][1], services=[], path=path.pk))
    assert response.status_code == 302
    assert Session.objects.get().services == ["parentalite"]


# Sessions


def declare(actor, typed, minutes=60):
    return redeem(
        actor,
        codes=typed,
        date=timezone.localdate(),
        duration_minutes=minutes,
        services=["securite"],
    )


def test_sessions_list_in_a_constant_number_of_queries(provider, programme):
    books = [checkbook_codes(programme, on=timezone.localdate()) for _ in range(2)]
    declare(provider, [books[0][0][1]])
    client = logged_in(provider)
    with CaptureQueriesContext(connection) as few:
        client.get("/espace/seances/")
    for number in range(1, 5):
        declare(provider, [books[1][number][1]])
    declare(provider_actor(programme), [books[0][1][1]])  # another provider's
    with CaptureQueriesContext(connection) as many:
        response = client.get("/espace/seances/")
    assert len(many) == len(few)
    body = plain(response)
    assert body.count("Utilisation sécurisée du numérique") == 5
    assert body.count("10,00\u00a0€") == 5
    assert "Annuler la séance du" in body


def test_session_page_and_undo(provider, book):
    session = declare(provider, [book[0][1], book[1][1]], minutes=120)
    client = logged_in(provider)
    body = plain(client.get(f"/espace/seances/{session.pk}/"))
    assert book[0][0].serial in body
    assert book[1][0].serial in body
    assert "20,00\u00a0€" in body
    assert "Annuler la séance" in body
    assert "Durée 2\u00a0h" in body

    response = client.post(f"/espace/seances/{session.pk}/annuler/", {"reason": ""})
    assert field_error(response, "reason") == "Indiquez le motif de l'annulation."
    response = client.post(
        f"/espace/seances/{session.pk}/annuler/", {"reason": "Erreur de date"}, follow=True
    )
    assert "Séance du" in plain(response)
    assert "2 pass redeviennent utilisables" in plain(response)
    assert Pass.objects.get(pk=book[0][0].pk).status == PassStatus.ASSIGNED
    assert "Annulée le" in plain(response)
    assert 'id="annuler"' not in text(response)


def test_no_undo_after_48_hours(provider, book):
    session = declare(provider, [book[0][1]])
    Session.objects.filter(pk=session.pk).update(created_at=timezone.now() - timedelta(hours=49))
    client = logged_in(provider)
    body = plain(client.get(f"/espace/seances/{session.pk}/"))
    assert "le délai de 48 heures est passé" in body
    assert "Annuler la séance du" not in plain(client.get("/espace/seances/"))
    response = client.post(
        f"/espace/seances/{session.pk}/annuler/", {"reason": "Erreur"}, follow=True
    )
    assert "48 heures" in plain(response)
    assert Pass.objects.get(pk=book[0][0].pk).status == PassStatus.REDEEMED


def test_other_providers_sessions_are_404(provider, programme, book):
    session = declare(provider, [book[0][1]])
    other = logged_in(provider_actor(programme))
    assert other.get(f"/espace/seances/{session.pk}/").status_code == 404
    assert other.post(f"/espace/seances/{session.pk}/annuler/", {"reason": "x"}).status_code == 404
    assert Pass.objects.get(pk=book[0][0].pk).status == PassStatus.REDEEMED


def test_provider_never_sees_the_person(provider, book):
    person = book[0][0].checkbook.beneficiary
    session = declare(provider, [book[0][1]])
    for url in ("/espace/seances/", f"/espace/seances/{session.pk}/"):
        body = text(logged_in(provider).get(url))
        assert person.last_name not in body


def test_accredited_then_suspended(programme, book):
    actor = provider_actor(programme)
    assert logged_in(actor).get(URL).status_code == 200
    accreditation = actor.organisation.accreditation
    accreditation.status = AccreditationStatus.SUSPENDED
    accreditation.save()
    response = logged_in(actor).post(URL, form_data(book[0][1]))
    assert response.status_code == 403
    assert Session.objects.count() == 0
