"""Orientation pages: orient a person, the referrals, the Département's queue, one referral."""

import html
import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from passnum.beneficiaries.models import Beneficiary
from passnum.organisations.enums import OrganisationKind
from passnum.passes.models import Checkbook
from passnum.passes.services import generate_passes
from passnum.referrals.enums import ReferralStatus
from passnum.referrals.models import Referral
from passnum.referrals.services import prescribe
from tests.factories import (
    BeneficiaryFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ReferralFactory,
)

REFERRER = OrganisationKind.REFERRER
DEPARTMENT = OrganisationKind.DEPARTMENT
PROVIDER = OrganisationKind.PROVIDER
OPERATOR = OrganisationKind.OPERATOR


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def plain(response) -> str:
    """The page's text without its tags, spaces collapsed."""
    without_tags = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"[ \t\r\n]+", " ", without_tags)  # no-break spaces kept


def field_error(response, name: str) -> str:
    """The error shown under one field (DSFR: ``<div id="id_<name>-desc-error">``)."""
    found = re.search(
        rf'<div[^>]*id="id_{name}-desc-error"[^>]*>(.*?)</div>', response.content.decode(), re.S
    )
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(1))).strip() if found else ""


def years_ago(years: int) -> date:
    """A birth date giving exactly ``years`` today."""
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1)


def referral_links(response) -> int:
    return len(re.findall(r'href="/espace/orientations/[0-9]+/"', response.content.decode()))


def form_data(**changes):
    data = {
        "first_name": "Jeanne",
        "last_name": "Durand",
        "birth_date": "1980-05-17",
        "commune": "Mende",
        "email": "jeanne.durand@exemple.fr",
        "phone": "04 66 00 00 00",
        "notice_given_on": timezone.localdate().isoformat(),
        "notice_given": "on",
        "publics": ["rsa"],
        "needs": ["outils_quotidien", "securite"],
        "comment": "Souhaite faire ses démarches CAF seule.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def referrer(make_actor):
    return make_actor(REFERRER)


@pytest.fixture
def department(make_actor):
    return make_actor(DEPARTMENT)


@pytest.fixture
def stock(programme):
    return generate_passes(programme, 10)


# Who sees which page


def referral_of(actor, programme, **fields):
    organisation = (
        actor.organisation
        if actor.role == REFERRER
        else OrganisationFactory(programme=programme, referrer=True)
    )
    return ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__last_name="Confidentiel",
        organisation=organisation,
        **fields,
    )


PAGES = {
    # page: {role: (status, shows the person's name)}
    "new": {REFERRER: 200, DEPARTMENT: 200, OPERATOR: 403, PROVIDER: 403},
    # The operator steers from aggregates: no referral list, no referral page.
    "list": {REFERRER: 200, DEPARTMENT: 200, OPERATOR: 403, PROVIDER: 403},
    "queue": {REFERRER: 403, DEPARTMENT: 200, OPERATOR: 403, PROVIDER: 403},
    "detail": {REFERRER: 200, DEPARTMENT: 200, OPERATOR: 403, PROVIDER: 403},
}
SEES_PEOPLE = {REFERRER, DEPARTMENT}


@pytest.mark.parametrize(
    ("page", "kind", "status"),
    [(page, kind, status) for page, roles in PAGES.items() for kind, status in roles.items()],
)
def test_pages_per_role(make_actor, programme, page, kind, status):
    actor = make_actor(kind)
    referral = referral_of(actor, programme)
    url = {
        "new": reverse("www:referral_new"),
        "list": reverse("www:referrals"),
        "queue": reverse("www:queue"),
        "detail": reverse("www:referral", args=[referral.pk]),
    }[page]
    response = logged_in(actor).get(url)
    assert response.status_code == status
    body = text(response)
    if status == 403:
        assert "Accès refusé" in body
    if page != "new":
        # Only the referrer and the Département ever see who the person is.
        assert ("Confidentiel" in body) is (status == 200 and kind in SEES_PEOPLE)


@pytest.mark.parametrize(
    ("kind", "present", "absent"),
    [
        (
            REFERRER,
            ["Orienter une personne", "Orientations"],
            ["File d'attente", "Encaisser des pass", "Relevés", "Mes relevés", "Structures"],
        ),
        (
            DEPARTMENT,
            ["File d'attente", "Orienter une personne", "Orientations", "Programme et budget"],
            ["Encaisser des pass", "Relevés", "Structures", "Parcours", "Signalements"],
        ),
        (
            OPERATOR,
            ["Structures", "Parcours", "Relevés", "Signalements"],
            [
                "Orientations",
                "File d'attente",
                "Orienter une personne",
                "Encaisser des pass",
                "Mes relevés",
            ],
        ),
        (
            PROVIDER,
            ["Encaisser des pass", "Mes séances", "Mes relevés", "Habilitation et lieux"],
            ["File d'attente", "Orienter une personne", "Orientations", "Relevés", "Structures"],
        ),
    ],
)
def test_navigation_follows_capabilities(make_actor, kind, present, absent):
    body = text(logged_in(make_actor(kind)).get(reverse("www:dashboard")))
    nav = body.split('id="navigation-principale"')[1].split("</nav>")[0]
    for label in present:
        assert f">{label}</a>" in nav
    for label in absent:
        assert f">{label}</a>" not in nav


def test_navigation_marks_the_closest_item_current(department):
    body = logged_in(department).get(reverse("www:referral_new")).content.decode()
    current = re.findall(r'<a class="fr-nav__link" href="([^"]+)" aria-current="page"', body)
    assert current == [reverse("www:referral_new")]


# « Orienter une personne »


def test_orientation_form_fields(referrer, communes):
    response = logged_in(referrer).get(reverse("www:referral_new"))
    body = text(response)
    assert response.status_code == 200
    assert 'type="date" name="birth_date"' in body
    assert f'name="notice_given_on" value="{timezone.localdate().isoformat()}"' in body
    assert "J'ai remis la notice d'information à la personne" in body
    assert "Bénéficiaire du rSa" in body  # publics, by their French labels
    assert "Aide aux démarches administratives" in body  # needs
    assert body.count('type="checkbox" name="publics"') == 6
    assert body.count('type="checkbox" name="needs"') == 8
    assert 'name="csrfmiddlewaretoken"' in body
    assert re.search(r"Courriel\s+\(Optionnel\)", plain(response))
    assert not re.search(r"Besoins\s+\(Optionnel\)", plain(response))  # one at least


def test_referrer_orients_a_person(referrer, communes):
    client = logged_in(referrer)
    response = client.post(reverse("www:referral_new"), form_data())
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("www:referral", args=[referral.pk])
    assert referral.organisation == referrer.organisation
    assert referral.status == ReferralStatus.PENDING
    assert referral.publics == ["rsa"]
    assert referral.needs == ["outils_quotidien", "securite"]
    assert referral.tier == 1
    assert referral.comment == "Souhaite faire ses démarches CAF seule."
    person = referral.beneficiary
    assert (person.first_name, person.last_name) == ("Jeanne", "Durand")
    assert person.birth_date == date(1980, 5, 17)
    assert person.commune.insee_code == "48095"
    assert person.phone == "0466000000"
    assert person.notice_given_on == timezone.localdate()
    page = text(client.get(response.url))
    assert (
        f"Orientation n° {referral.pk} enregistrée pour Jeanne Durand (rang 1) : le "
        "Département va instruire la demande."
    ) in page
    assert "Mende" in page
    assert "Bénéficiaire du rSa" in page
    assert "Utilisation sécurisée du numérique" in page


def test_the_age_adds_its_public(referrer, communes):
    response = logged_in(referrer).post(
        reverse("www:referral_new"),
        form_data(birth_date=years_ago(20).isoformat(), publics=[]),
        follow=True,
    )
    referral = Referral.objects.get()
    assert referral.publics == ["jeune"]
    assert referral.tier == 2
    assert "rang 2" in text(response)


def test_the_department_may_orient_too(department, communes):
    response = logged_in(department).post(reverse("www:referral_new"), form_data())
    assert response.status_code == 302
    assert Referral.objects.get().organisation == department.organisation


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"birth_date": "1990-02-31"},
            "birth_date",
            "La date de naissance n'est pas une date valide (jj/mm/aaaa).",
        ),
        (
            {"birth_date": "2100-01-01"},
            "birth_date",
            "La date de naissance ne peut pas être dans le futur.",
        ),
        ({"birth_date": ""}, "birth_date", "Indiquez la date de naissance."),
        (
            {"birth_date": "under16"},
            "birth_date",
            "Le Pass numérique s'adresse aux personnes d'au moins 16 ans "
            "(cette personne a 15 ans).",
        ),
        (
            {"commune": "Millau"},
            "commune",
            "Aucune commune du territoire ne correspond à « Millau ».",
        ),
        (
            {"birth_date": "40", "publics": ["senior"]},
            "publics",
            "Le public « Personne de plus de 60 ans » ne correspond pas à l'âge de la personne "
            "(40 ans).",
        ),
        ({"needs": None}, "needs", "Indiquez au moins un besoin de la personne."),
        (
            {"notice_given": None},
            "notice_given",
            "Remettez la notice d'information à la personne avant de l'orienter, puis cochez la "
            "case.",
        ),
        ({"first_name": "  "}, "first_name", "Indiquez le prénom."),
        ({"phone": "12 34"}, "phone", "Le numéro de téléphone n'est pas valide"),
        ({"email": "jeanne@"}, "email", "L'adresse de courriel n'est pas valide."),
        (
            {"notice_given_on": "2100-01-01"},
            "notice_given_on",
            "La date de remise de la notice d'information ne peut pas être dans le futur.",
        ),
    ],
)
def test_orientation_errors_are_shown_on_their_field(referrer, communes, changes, field, message):
    if changes.get("birth_date") == "under16":
        changes["birth_date"] = years_ago(15).isoformat()
    if changes.get("birth_date") == "40":
        changes["birth_date"] = years_ago(40).isoformat()
    response = logged_in(referrer).post(reverse("www:referral_new"), form_data(**changes))
    assert response.status_code == 200
    assert message in field_error(response, field)
    assert message in text(response).split('id="erreurs"')[1]  # the summary at the top
    assert not Referral.objects.exists()
    assert not Beneficiary.objects.exists()
    assert 'value="Durand"' in text(response)  # what was typed is kept


def test_a_person_with_a_pending_referral_is_refused_in_french(referrer, programme, communes):
    ReferralFactory(
        beneficiary=BeneficiaryFactory(
            programme=programme,
            last_name="Durand",
            birth_date=date(1980, 5, 17),
            created_by_organisation=referrer.organisation,
        ),
        organisation=referrer.organisation,
    )
    client = logged_in(referrer)
    asked = client.post(reverse("www:referral_new"), form_data())
    existing = Beneficiary.objects.get()
    response = client.post(reverse("www:referral_new"), form_data(duplicate=str(existing.pk)))
    assert asked.status_code == response.status_code == 200
    assert "Cette personne a déjà une orientation en attente d'instruction." in text(response)
    # The question stays on the page, answered as it was.
    assert f'value="{existing.pk}" checked' in response.content.decode()
    assert Referral.objects.count() == 1


# Possible duplicates


@pytest.fixture
def known(programme, communes, referrer):
    """A person already recorded by the referrer's organisation, with the names typed
    differently (case, accents)."""
    return BeneficiaryFactory(
        programme=programme,
        first_name="Jeanne",
        last_name="DURAND",
        birth_date=date(1980, 5, 17),
        created_by_organisation=referrer.organisation,
    )


def test_possible_duplicate_is_asked_about(referrer, known):
    response = logged_in(referrer).post(
        reverse("www:referral_new"), form_data(first_name="jéanne", last_name="Durand")
    )
    body = text(response)
    assert response.status_code == 200
    assert "Cette personne est peut-être déjà enregistrée" in body
    assert "C'est cette personne : Jeanne DURAND" in body
    assert "Date de naissance : 17/05/1980 ; commune : Mende ; enregistrée le" in body
    assert f'name="duplicate" value="{known.pk}"' in body
    assert 'name="duplicate" value="autre"' in body
    assert "Il s'agit d'une autre personne" in body
    assert not Referral.objects.exists()
    assert Beneficiary.objects.count() == 1


def test_choosing_the_known_person_orients_them(referrer, known):
    response = logged_in(referrer).post(
        reverse("www:referral_new"), form_data(duplicate=str(known.pk)), follow=True
    )
    referral = Referral.objects.get()
    assert referral.beneficiary == known
    assert Beneficiary.objects.count() == 1
    assert "enregistrée pour Jeanne DURAND (rang" in text(response)


def test_confirming_another_person_records_a_new_one(referrer, known):
    response = logged_in(referrer).post(
        reverse("www:referral_new"), form_data(duplicate="autre"), follow=True
    )
    referral = Referral.objects.get()
    assert referral.beneficiary != known
    assert Beneficiary.objects.count() == 2
    assert "enregistrée pour Jeanne Durand (rang" in text(response)


def test_a_chosen_person_is_only_taken_among_the_duplicates_of_the_programme(
    referrer, programme, communes
):
    elsewhere = BeneficiaryFactory(
        programme=ProgrammeFactory(), last_name="Durand", birth_date=date(1980, 5, 17)
    )
    other_here = BeneficiaryFactory(programme=programme, last_name="Autre")
    for chosen in (elsewhere, other_here):
        response = logged_in(referrer).post(
            reverse("www:referral_new"), form_data(duplicate=str(chosen.pk))
        )
        assert response.status_code == 200
        assert "La personne choisie ne correspond pas aux nom, prénom et date de naissance" in (
            text(response)
        )
    # Neither was oriented, and no one was recorded.
    assert not Referral.objects.exists()
    assert Beneficiary.objects.count() == 2


# The list of referrals


def test_referrer_sees_only_its_organisation(referrer, programme):
    own = ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__last_name="Nôtre",
        organisation=referrer.organisation,
    )
    ReferralFactory(beneficiary__programme=programme, beneficiary__last_name="Autrui")
    ReferralFactory(beneficiary__last_name="Ailleurs")  # another programme
    body = text(logged_in(referrer).get(reverse("www:referrals")))
    assert "Orientations de ma structure" in body
    assert "Nôtre" in body
    assert reverse("www:referral", args=[own.pk]) in body
    assert "Autrui" not in body
    assert "Ailleurs" not in body
    assert "1 orientation," in body


def test_department_sees_the_programme_and_operator_nothing(make_actor, programme):
    ReferralFactory(beneficiary__programme=programme, beneficiary__last_name="Premier")
    ReferralFactory(beneficiary__programme=programme, beneficiary__last_name="Second")
    department = text(logged_in(make_actor(DEPARTMENT)).get(reverse("www:referrals")))
    assert "Premier" in department
    assert "Second" in department
    assert "Orientations du programme" in department
    response = logged_in(make_actor(OPERATOR)).get(reverse("www:referrals"))
    assert response.status_code == 403
    operator = text(response)
    assert "Premier" not in operator
    assert "Second" not in operator
    assert "2 orientations" not in operator


def test_list_shows_tier_status_badge_and_passes(department, programme, stock):
    prescribed = ReferralFactory(beneficiary__programme=programme, publics=["rsa"])
    prescribe(department, prescribed)
    ReferralFactory(
        beneficiary__programme=programme,
        publics=["primo_arrivant"],
        status="rejected",
        decided_at=timezone.now(),
        decision_reason="Hors territoire",
    )
    body = text(logged_in(department).get(reverse("www:referrals")))
    assert '<p class="fr-badge fr-badge--success fr-badge--sm">Prescrite</p>' in body
    assert '<p class="fr-badge fr-badge--error fr-badge--sm">Refusée</p>' in body
    assert "Rang 1" in body
    assert "Rang 2" in body
    assert "Étranger primo-arrivant" in body
    assert "0 / 5" in body  # passes used / left


def test_list_filters_by_status(referrer, programme):
    ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__last_name="Attente",
        organisation=referrer.organisation,
    )
    ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__last_name="Retiree",
        organisation=referrer.organisation,
        status=ReferralStatus.WITHDRAWN,
        decided_at=timezone.now(),
    )
    client = logged_in(referrer)
    body = text(client.get(reverse("www:referrals"), {"status": "withdrawn"}))
    assert "Retiree" in body
    assert "Attente" not in body
    assert '<option value="withdrawn" selected>Retirée</option>' in body
    assert "au statut « retirée »" in body
    unknown = text(client.get(reverse("www:referrals"), {"status": "perdu"}))
    assert "Ce statut n'existe pas." in unknown
    assert "Retiree" in unknown
    assert "Attente" in unknown


def test_list_is_paginated_by_fifty(referrer, programme):
    for _ in range(51):
        ReferralFactory(beneficiary__programme=programme, organisation=referrer.organisation)
    client = logged_in(referrer)
    response = client.get(reverse("www:referrals"), {"status": "pending"})
    assert referral_links(response) == 50
    first = response.content.decode()
    assert '<nav role="navigation" class="fr-pagination' in first
    assert 'href="?status=pending&amp;page=2"' in first
    assert 'aria-current="page">1</a>' in first
    second = client.get(reverse("www:referrals"), {"status": "pending", "page": 2})
    assert referral_links(second) == 1
    assert 'aria-current="page">2</a>' in second.content.decode()


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url_name", ["www:referrals", "www:queue"])
def test_query_count_does_not_grow_with_referrals(
    department, programme, stock, url_name, django_assert_max_num_queries
):
    client = logged_in(department)
    prescribe(department, ReferralFactory(beneficiary__programme=programme))
    ReferralFactory(beneficiary__programme=programme)
    url = reverse(url_name)
    with_one = queries_for(client, url)
    for index in range(24):
        ReferralFactory(beneficiary__programme=programme, publics=["rsa"] if index % 2 else [])
    with django_assert_max_num_queries(with_one):
        response = client.get(url)
    assert referral_links(response) == (26 if url_name == "www:referrals" else 25)


# The Département's queue


def test_queue_order_count_budget_and_stock(department, programme):
    generate_passes(programme, 12)
    outside = ReferralFactory(beneficiary__programme=programme, beneficiary__last_name="Rang3")
    first_pic = ReferralFactory(
        beneficiary__programme=programme, beneficiary__last_name="Rang1Ancien", publics=["rsa"]
    )
    senior = ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__last_name="Rang2",
        publics=["primo_arrivant"],
    )
    later_pic = ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__last_name="Rang1Recent",
        publics=["jeune_decrocheur"],
    )
    ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__last_name="Decidee",
        status=ReferralStatus.WITHDRAWN,
        decided_at=timezone.now(),
    )
    response = logged_in(department).get(reverse("www:queue"))
    body = text(response)
    assert "4 orientations en attente d'instruction." in body
    order = [body.index(r.beneficiary.last_name) for r in (first_pic, later_pic, senior, outside)]
    assert order == sorted(order)
    assert "Decidee" not in body
    assert reverse("www:referral", args=[later_pic.pk]) in body
    assert "36\u202f000\u00a0€ , de quoi prescrire 720 chéquiers de 50\u00a0€." in plain(response)
    assert "12 pass disponibles, soit 2 chéquiers de 5 pass." in plain(response)
    assert "Prescription impossible" not in body


def test_queue_warns_when_the_stock_is_empty(department):
    body = text(logged_in(department).get(reverse("www:queue")))
    assert "Aucune orientation en attente d'instruction." in body
    assert "Prescription impossible pour l'instant" in body
    assert "Le stock ne contient plus assez de pass pour un chéquier" in body


# One referral


def test_referral_page_shows_the_person_and_the_orientation(referrer, programme):
    referral = ReferralFactory(
        beneficiary__programme=programme,
        beneficiary__first_name="Lucie",
        beneficiary__last_name="Martin",
        beneficiary__phone="0466000000",
        beneficiary__created_by_organisation=referrer.organisation,
        organisation=referrer.organisation,
        created_by=referrer.user,
        publics=["rsa", "senior"],
        needs=["parentalite"],
        comment="A besoin d'aide pour Pronote.",
    )
    response = logged_in(referrer).get(reverse("www:referral", args=[referral.pk]))
    body = text(response)
    assert re.search(r"<h1><span[^>]*>Lucie</span> <span[^>]*>Martin</span></h1>", body)
    assert "17/05/1980" in body
    assert "0466000000" in body
    assert "Bénéficiaire du rSa" in body
    assert "Personne de plus de 60 ans" in body
    assert "Parentalité et éducation avec le numérique" in body
    assert "A besoin d'aide pour Pronote." in body
    assert f"{referrer.user.get_full_name()} ( {referrer.organisation.name} )" in plain(response)
    assert '<p class="fr-badge fr-badge--info fr-badge--sm">En attente</p>' in body
    assert "Retirer l'orientation" in body
    assert "Prescrire un chéquier" not in body


def test_department_sees_the_decision_buttons(department, programme):
    referral = ReferralFactory(beneficiary__programme=programme)
    body = text(logged_in(department).get(reverse("www:referral", args=[referral.pk])))
    assert "Prescrire un chéquier" in body
    assert f'action="{reverse("www:referral_reject", args=[referral.pk])}"' in body
    assert 'name="reason"' in body
    assert "Retirer l'orientation" not in body  # not its referral


@pytest.mark.parametrize("whose", ["other organisation", "other programme"])
def test_referral_of_others_is_not_found(make_actor, programme, whose):
    actor = make_actor(REFERRER if whose == "other organisation" else DEPARTMENT)
    referral = ReferralFactory(
        beneficiary__programme=programme if whose == "other organisation" else ProgrammeFactory()
    )
    client = logged_in(actor)
    response = client.get(reverse("www:referral", args=[referral.pk]))
    assert response.status_code == 404
    assert referral.beneficiary.last_name not in text(response)
    for action in ("www:referral_prescribe", "www:referral_reject", "www:referral_withdraw"):
        assert client.post(reverse(action, args=[referral.pk]), {"reason": "x"}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


# Prescribe


def test_department_prescribes_a_checkbook(department, programme, stock):
    referral = ReferralFactory(
        beneficiary__programme=programme, beneficiary__first_name="Jeanne", publics=["rsa"]
    )
    client = logged_in(department)
    response = client.post(reverse("www:referral_prescribe", args=[referral.pk]))
    assert response.status_code == 302
    assert response.url == reverse("www:referral", args=[referral.pk])
    referral.refresh_from_db()
    checkbook = Checkbook.objects.get()
    assert referral.status == ReferralStatus.PRESCRIBED
    assert checkbook.beneficiary == referral.beneficiary
    assert checkbook.passes.count() == 5
    page = client.get(response.url)
    body = text(page)
    assert (
        f"Chéquier n° {checkbook.number} attribué à Jeanne {referral.beneficiary.last_name} : "
        f"5 pass valables jusqu'au {checkbook.expires_on:%d/%m/%Y}."
    ) in body
    assert f"n° {checkbook.number} , valable jusqu'au {checkbook.expires_on:%d/%m/%Y}" in plain(
        page
    )
    assert "0 utilisé, 5 restants sur 5" in plain(page)
    assert reverse("www:checkbook", args=[checkbook.pk]) in body
    assert reverse("www:checkbook_pdf", args=[checkbook.pk]) in body
    assert "Voir le chéquier" in body
    assert "Imprimer (PDF)" in body
    assert "Prescrire un chéquier" not in body


def test_referrer_follows_the_prescription_without_printing(
    referrer, department, programme, stock
):
    referral = ReferralFactory(
        beneficiary__programme=programme, organisation=referrer.organisation
    )
    prescribe(department, referral)
    page = logged_in(referrer).get(reverse("www:referral", args=[referral.pk]))
    body = text(page)
    assert '<p class="fr-badge fr-badge--success fr-badge--sm">Prescrite</p>' in body
    assert "0 utilisé, 5 restants sur 5" in plain(page)
    assert "Voir le chéquier" not in body
    assert "Retirer l'orientation" not in body


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        (
            "no budget",
            "Le budget disponible ne couvre plus un chéquier : la prescription est refusée.",
        ),
        ("no stock", "Le stock de pass disponibles ne couvre plus un chéquier"),
        (
            "already prescribed",
            "Cette orientation n'est plus en attente : elle est « prescrite ».",
        ),
    ],
)
def test_prescription_refused_changes_nothing(department, programme, situation, message):
    referral = ReferralFactory(beneficiary__programme=programme)
    if situation == "no budget":
        generate_passes(programme, 5)
        programme.envelope_cents = programme.engineering_cents + 40_00  # less than a checkbook
        programme.save()
    if situation == "already prescribed":
        generate_passes(programme, 10)
        prescribe(department, referral)
    checkbooks = Checkbook.objects.count()
    response = logged_in(department).post(
        reverse("www:referral_prescribe", args=[referral.pk]), follow=True
    )
    body = text(response)
    assert message in body
    assert '<div class="fr-alert fr-alert--error' in body
    assert Checkbook.objects.count() == checkbooks
    referral.refresh_from_db()
    expected = ReferralStatus.PRESCRIBED if situation == "already prescribed" else "pending"
    assert referral.status == expected


@pytest.mark.parametrize("kind", [REFERRER, OPERATOR, PROVIDER])
def test_only_the_department_prescribes(make_actor, programme, stock, kind):
    actor = make_actor(kind)
    referral = referral_of(actor, programme)
    response = logged_in(actor).post(reverse("www:referral_prescribe", args=[referral.pk]))
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING
    assert not Checkbook.objects.exists()


def test_prescribe_is_post_only(department, programme, stock):
    referral = ReferralFactory(beneficiary__programme=programme)
    response = logged_in(department).get(reverse("www:referral_prescribe", args=[referral.pk]))
    assert response.status_code == 405
    assert not Checkbook.objects.exists()


# Reject


def test_department_rejects_with_a_reason(department, programme):
    referral = ReferralFactory(beneficiary__programme=programme)
    client = logged_in(department)
    response = client.post(
        reverse("www:referral_reject", args=[referral.pk]),
        {"reason": "La personne n'habite pas la Lozère."},
        follow=True,
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REJECTED
    assert referral.decision_reason == "La personne n'habite pas la Lozère."
    assert referral.decided_by == department.user
    body = text(response)
    assert (
        f"L'orientation n° {referral.pk} de {referral.beneficiary} est refusée ; la structure "
        "qui l'a faite verra le motif."
    ) in body
    assert "La personne n'habite pas la Lozère." in body


def test_rejecting_without_a_reason_is_explained(department, programme):
    referral = ReferralFactory(beneficiary__programme=programme)
    response = logged_in(department).post(
        reverse("www:referral_reject", args=[referral.pk]), {"reason": "   "}
    )
    assert response.status_code == 200
    assert field_error(response, "reason") == "Indiquez le motif du refus."
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_referrer_cannot_reject(referrer, programme):
    referral = referral_of(referrer, programme)
    response = logged_in(referrer).post(
        reverse("www:referral_reject", args=[referral.pk]), {"reason": "Non."}
    )
    assert response.status_code == 403
    assert "Seul le Département peut prescrire un chéquier." in text(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


# Withdraw


def test_referrer_withdraws_its_referral(referrer, programme):
    referral = referral_of(referrer, programme)
    response = logged_in(referrer).post(
        reverse("www:referral_withdraw", args=[referral.pk]),
        {"reason": "A trouvé une formation."},
        follow=True,
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.decision_reason == "A trouvé une formation."
    body = text(response)
    assert (
        f"L'orientation n° {referral.pk} de {referral.beneficiary} est retirée : le "
        "Département ne l'instruira pas."
    ) in body
    assert '<p class="fr-badge fr-badge--sm">Retirée</p>' in body
    # Nothing to withdraw twice.
    again = logged_in(referrer).post(
        reverse("www:referral_withdraw", args=[referral.pk]), follow=True
    )
    assert "Cette orientation n'est plus en attente : elle est « retirée »." in text(again)


def test_withdraw_by_another_organisation_is_forbidden(department, programme):
    referral = ReferralFactory(beneficiary__programme=programme)  # by a referrer organisation
    response = logged_in(department).post(reverse("www:referral_withdraw", args=[referral.pk]))
    assert response.status_code == 403
    assert "Seule la structure qui a fait l'orientation peut la retirer." in text(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


# Dashboards


def test_referrer_dashboard_counts_its_referrals(referrer, programme):
    for status in ("pending", "pending", "rejected"):
        ReferralFactory(
            beneficiary__programme=programme,
            organisation=referrer.organisation,
            status=status,
            decided_at=None if status == "pending" else timezone.now(),
            decision_reason="" if status == "pending" else "Motif",
        )
    ReferralFactory(beneficiary__programme=programme)  # another organisation's
    body = text(logged_in(referrer).get(reverse("www:dashboard")))
    assert f'href="{reverse("www:referral_new")}"' in body
    assert '?status=pending">En attente</a> : <span class="passnum-figure">2</span>' in body
    assert '?status=rejected">Refusée</a> : <span class="passnum-figure">1</span>' in body
    assert '?status=prescribed">Prescrite</a> : <span class="passnum-figure">0</span>' in body
    assert "Toutes les orientations de ma structure (3)" in body


def test_department_dashboard_shows_the_queue(department, programme):
    ReferralFactory(beneficiary__programme=programme)
    ReferralFactory(beneficiary__programme=programme)
    body = text(logged_in(department).get(reverse("www:dashboard")))
    assert '<strong class="passnum-figure">2</strong> orientations en attente' in body
    assert f'href="{reverse("www:queue")}">Voir la file d\'attente</a>' in body


def test_member_of_two_organisations_acts_for_the_current_one(referrer, programme):
    """The organisation decides: the same user, switched to a provider, loses the pages."""
    provider = MembershipFactory(
        user=referrer.user, organisation=OrganisationFactory(programme=programme, provider=True)
    )
    client = logged_in(referrer)
    assert client.get(reverse("www:referral_new")).status_code == 200
    client.post(reverse("www:choose_membership"), {"membership": provider.pk})
    assert client.get(reverse("www:referral_new")).status_code == 403
