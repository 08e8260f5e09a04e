import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from passnum.organisations.enums import OrganisationKind
from passnum.organisations.middleware import SESSION_KEY
from tests.factories import (
    PASSWORD,
    FunderFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.tasks import run_tasks


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


@pytest.mark.parametrize(
    "url", ["/", "/connexion/", "/donnees-personnelles/", "/mot-de-passe/oubli/"]
)
def test_public_pages_in_french_with_the_dsfr_header(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert 'class="fr-header"' in html
    assert "Pass numérique" in html
    assert "Département de la Lozère" in html
    assert 'href="#contenu"' in html
    assert 'id="contenu"' in html
    assert "/static/dsfr/dist/dsfr" in html
    assert "http://" not in html.split("<body")[0]
    assert "https://" not in html.split("<body")[0]


def test_security_headers_and_csp(client, db):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "expected", "queries"),
    [
        (OrganisationKind.REFERRER, "Orienter une personne", 8),
        (OrganisationKind.DEPARTMENT, "À faire", 21),
        (OrganisationKind.PROVIDER, "Encaisser des pass", 8),
        (OrganisationKind.OPERATOR, "Détail du programme et des financeurs", 20),
        (OrganisationKind.FUNDER, "Détail du programme et des financeurs", 16),
    ],
)
def test_dashboard_per_role(make_actor, kind, expected, queries, django_assert_max_num_queries):
    """The steering dashboards read the indicators and « À faire » (constant in the data size:
    tests/www/test_indicators_pages.py)."""
    actor = make_actor(kind)
    client = logged_in(actor)
    with django_assert_max_num_queries(queries):
        response = client.get(reverse("www:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert expected in html
    assert actor.organisation.name in html
    assert OrganisationKind(kind).label in html


@pytest.mark.parametrize(
    ("kind", "sees_budget"),
    [
        (OrganisationKind.REFERRER, False),
        (OrganisationKind.PROVIDER, False),
        (OrganisationKind.DEPARTMENT, True),
        (OrganisationKind.OPERATOR, True),
    ],
)
def test_programme_page_per_role(make_actor, programme, kind, sees_budget):
    FunderFactory(programme=programme, name="État", share_basis_points=5000)
    FunderFactory(programme=programme, name="Département de la Lozère", share_basis_points=5000)
    client = logged_in(make_actor(kind))
    response = client.get(reverse("www:programme"))
    html = response.content.decode()
    if sees_budget:
        assert response.status_code == 200
        assert "36\u202f000\u00a0€" in html  # pass budget
        assert "20\u202f000\u00a0€" in html  # State share of the envelope
        assert "3\u202f600 pass" in html
        assert "720 chéquiers" in html
    else:
        assert response.status_code == 403
        assert "Accès refusé" in html
        assert "36\u202f000" not in html
    assert ("Programme et budget</a>" in html) is sees_budget  # navigation follows the role


def test_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("www:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_user_without_active_membership_is_told_why(client, db):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("www:dashboard"))
    assert response.status_code == 403
    assert "Aucune structure active" in response.content.decode()


def test_login_and_logout(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    response = client.post(
        reverse("accounts:login"), {"username": actor.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("www:dashboard")
    assert client.get(reverse("www:dashboard")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("www:dashboard")).status_code == 302


def test_wrong_password_on_the_web(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    response = client.post(
        reverse("accounts:login"), {"username": actor.user.username, "password": "x"}
    )
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()


def test_web_login_is_throttled(client, make_actor, settings):
    actor = make_actor(OrganisationKind.REFERRER)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("accounts:login"), {"username": actor.user.username, "password": "x"})
    response = client.post(
        reverse("accounts:login"), {"username": actor.user.username, "password": "x"}
    )
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    response = client.post(
        reverse("accounts:login"), {"username": actor.user.username, "password": PASSWORD}
    )
    assert response.status_code == 429


def test_password_reset_sends_a_french_email(client, make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    response = client.post(reverse("accounts:password_reset"), {"email": actor.user.email})
    assert response.status_code == 302
    assert run_tasks() == 1  # through the outbox (tests/accounts/test_password_reset_email.py)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Pass numérique : choisir un nouveau mot de passe"
    assert "/mot-de-passe/nouveau/" in message.body
    link = next(line for line in message.body.splitlines() if "/mot-de-passe/nouveau/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Nouveau mot de passe" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "Un-nouveau-mot-de-passe-42",
            "new_password2": "Un-nouveau-mot-de-passe-42",
        },
    )
    assert done.status_code == 302
    actor.user.refresh_from_db()
    assert actor.user.check_password("Un-nouveau-mot-de-passe-42")


def test_password_reset_for_an_unknown_address_reveals_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@exemple.fr"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_bad_email_on_password_reset_is_explained(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "pas-une-adresse"})
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in response.content.decode()


def test_user_switches_organisation(make_actor, programme):
    actor = make_actor(OrganisationKind.REFERRER)
    provider = MembershipFactory(
        user=actor.user, organisation=OrganisationFactory(programme=programme, provider=True)
    )
    client = logged_in(actor)
    page = client.get(reverse("www:choose_membership")).content.decode()
    assert provider.organisation.name in page
    response = client.post(
        reverse("www:choose_membership"), {"membership": provider.pk}, follow=True
    )
    html = response.content.decode()
    assert f"Vous agissez désormais pour « {provider.organisation.name} »" in html
    assert "Encaisser des pass" in html
    assert client.session[SESSION_KEY] == provider.pk


def test_choosing_a_foreign_membership_is_refused(make_actor):
    actor = make_actor(OrganisationKind.REFERRER)
    foreign = MembershipFactory()
    client = logged_in(actor)
    response = client.post(reverse("www:choose_membership"), {"membership": foreign.pk})
    assert response.status_code == 200
    assert "Choisissez l&#x27;une de vos structures actives." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_organisation_page_lists_members(make_actor):
    admin = make_actor(OrganisationKind.PROVIDER, is_admin=True)
    member = MembershipFactory(organisation=admin.organisation)
    html = logged_in(admin).get(reverse("www:organisation")).content.decode()
    assert member.user.username in html
    assert "Désactiver" in html


def test_admin_deactivates_a_member_on_the_web(make_actor):
    admin = make_actor(OrganisationKind.PROVIDER, is_admin=True)
    member = MembershipFactory(organisation=admin.organisation)
    url = reverse("www:member_action", args=[member.pk, "deactivate"])
    response = logged_in(admin).post(url, follow=True)
    assert f"{member.user} n&#x27;est plus membre actif." in response.content.decode()
    member.refresh_from_db()
    assert not member.is_active


def test_last_admin_is_told_in_french(make_actor):
    admin = make_actor(OrganisationKind.PROVIDER, is_admin=True)
    url = reverse("www:member_action", args=[admin.membership.pk, "deactivate"])
    response = logged_in(admin).post(url, follow=True)
    assert "au moins un administrateur actif" in response.content.decode()
    admin.membership.refresh_from_db()
    assert admin.membership.is_active


def test_plain_member_cannot_manage_members_on_the_web(make_actor):
    admin = make_actor(OrganisationKind.PROVIDER, is_admin=True)
    member = make_actor(OrganisationKind.PROVIDER, organisation=admin.organisation)
    url = reverse("www:member_action", args=[admin.membership.pk, "deactivate"])
    response = logged_in(member).post(url)
    assert response.status_code == 403
    assert "administrateur de la structure" in response.content.decode()
    admin.membership.refresh_from_db()
    assert admin.membership.is_active


def test_members_of_another_organisation_are_out_of_reach(make_actor):
    admin = make_actor(OrganisationKind.PROVIDER, is_admin=True)
    stranger = MembershipFactory()
    url = reverse("www:member_action", args=[stranger.pk, "deactivate"])
    assert logged_in(admin).post(url).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active


def test_404_page_in_french(client, db):
    response = client.get("/nexiste-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert 'class="fr-header"' in html


@override_settings(DEBUG=False)
def test_500_page_in_french(db):
    from passnum.www.pages.views import server_error

    request = Client().get("/").wsgi_request
    response = server_error(request)
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()


def test_healthz(client, db):
    assert client.get("/healthz").content == b"ok"


def test_messages_are_escaped(make_actor):
    admin = make_actor(OrganisationKind.PROVIDER, is_admin=True)
    member = MembershipFactory(organisation=admin.organisation)
    member.user.first_name = "<script>alert(1)</script>"
    member.user.save()
    url = reverse("www:member_action", args=[member.pk, "deactivate"])
    html = logged_in(admin).post(url, follow=True).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_healthz_says_when_the_database_is_gone(client, db, monkeypatch):
    from django.db import OperationalError

    from passnum.www.pages import views

    class Gone:
        def cursor(self):
            raise OperationalError("connexion refusée")

    monkeypatch.setattr(views, "connection", Gone())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "injoignable" in response.content.decode()
