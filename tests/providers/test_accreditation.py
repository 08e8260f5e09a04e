"""The accreditation workflow: each transition allowed and refused, per role; every step in the
history; every refusal leaves the database as it was."""

import pytest

from passnum.common.exceptions import InvalidInput, NotAllowed
from passnum.organisations.enums import OrganisationKind
from passnum.providers.exceptions import IncompleteProfile, InvalidTransition, NotAProvider
from passnum.providers.models import Accreditation, AccreditationEvent, AccreditationStatus
from passnum.providers.selectors import accreditation_status, is_accredited
from passnum.providers.services import decide_accreditation, submit_accreditation
from tests.factories import (
    AccreditationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProviderPlaceFactory,
)

from .factories import BankDetailsFactory

Kind = OrganisationKind
S = AccreditationStatus


def state():
    return {
        "accreditations": list(
            Accreditation.objects.order_by("pk").values_list("pk", "organisation", "status")
        ),
        "events": list(
            AccreditationEvent.objects.order_by("pk").values_list("pk", "before", "after")
        ),
    }


@pytest.fixture
def provider(make_actor):
    """A provider member (not admin) whose profile is complete: a place and bank details."""
    actor = make_actor(Kind.PROVIDER)
    ProviderPlaceFactory(organisation=actor.organisation, accredited=False)
    BankDetailsFactory(organisation=actor.organisation)
    return actor


@pytest.fixture
def operator(make_actor):
    return make_actor(Kind.OPERATOR)


def with_status(organisation, status):
    return AccreditationFactory(organisation=organisation, status=status)


# The provider asks


def test_submit_creates_the_draft_and_moves_it_to_submitted(provider):
    assert accreditation_status(provider.organisation) == S.DRAFT
    accreditation = submit_accreditation(provider)
    assert accreditation.status == S.SUBMITTED
    accreditation.refresh_from_db()
    assert accreditation.status == S.SUBMITTED
    event = accreditation.events.get()
    assert (event.before, event.after, event.user, event.reason) == (
        S.DRAFT,
        S.SUBMITTED,
        provider.user,
        "",
    )
    assert not provider.is_admin  # an organisation admin is not required
    assert not is_accredited(provider.organisation)


def test_submit_again_after_changes_requested(provider):
    with_status(provider.organisation, S.CHANGES_REQUESTED)
    assert submit_accreditation(provider).status == S.SUBMITTED
    assert AccreditationEvent.objects.get().before == S.CHANGES_REQUESTED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.ACCREDITED, S.REFUSED, S.SUSPENDED])
def test_submit_refused_from_other_statuses(provider, status):
    with_status(provider.organisation, status)
    before = state()
    with pytest.raises(InvalidTransition) as exc:
        submit_accreditation(provider)
    assert exc.value.code == "invalid_transition"
    assert f"« {status.label.lower()} »" in exc.value.message
    assert state() == before


@pytest.mark.parametrize(
    ("has_place", "has_bank", "missing"),
    [
        (False, True, "au moins un lieu"),
        (True, False, "les coordonnées bancaires"),
        (False, False, "au moins un lieu et les coordonnées bancaires"),
    ],
)
def test_submit_requires_a_place_and_bank_details(make_actor, has_place, has_bank, missing):
    actor = make_actor(Kind.PROVIDER)
    if has_place:
        ProviderPlaceFactory(organisation=actor.organisation, accredited=False)
    if has_bank:
        BankDetailsFactory(organisation=actor.organisation)
    before = state()
    with pytest.raises(IncompleteProfile) as exc:
        submit_accreditation(actor)
    assert exc.value.message.endswith(f"ajoutez {missing}.")
    assert isinstance(exc.value, InvalidInput)  # 422
    assert state() == before  # not even the draft is kept


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.OPERATOR])
def test_only_providers_submit(make_actor, kind):
    actor = make_actor(kind)
    with pytest.raises(NotAllowed):
        submit_accreditation(actor)
    assert state() == {"accreditations": [], "events": []}


# The operator decides


@pytest.mark.parametrize(
    ("before", "decision", "reason"),
    [
        (S.SUBMITTED, S.ACCREDITED, ""),
        (S.SUBMITTED, S.REFUSED, "Aucun médiateur formé."),
        (S.SUBMITTED, S.CHANGES_REQUESTED, "Précisez les horaires."),
        (S.ACCREDITED, S.SUSPENDED, "Contrôle en cours."),
        (S.SUSPENDED, S.ACCREDITED, ""),
    ],
)
def test_allowed_decisions(provider, operator, before, decision, reason):
    with_status(provider.organisation, before)
    accreditation = decide_accreditation(operator, provider.organisation, decision, reason)
    accreditation.refresh_from_db()
    assert accreditation.status == decision
    event = accreditation.events.get()
    assert (event.before, event.after, event.user, event.reason) == (
        before,
        decision,
        operator.user,
        reason,
    )
    assert is_accredited(provider.organisation) == (decision == S.ACCREDITED)


ALLOWED = {
    (S.SUBMITTED, S.ACCREDITED),
    (S.SUBMITTED, S.REFUSED),
    (S.SUBMITTED, S.CHANGES_REQUESTED),
    (S.ACCREDITED, S.SUSPENDED),
    (S.SUSPENDED, S.ACCREDITED),
}
REFUSED = [
    (before, after)
    for before in S
    for after in (S.ACCREDITED, S.REFUSED, S.CHANGES_REQUESTED, S.SUSPENDED)
    if (before, after) not in ALLOWED
]


@pytest.mark.parametrize(("before", "decision"), REFUSED)
def test_other_decisions_are_invalid_transitions(provider, operator, before, decision):
    with_status(provider.organisation, before)
    snapshot = state()
    with pytest.raises(InvalidTransition) as exc:
        decide_accreditation(operator, provider.organisation, decision, "Un motif.")
    assert exc.value.code == "invalid_transition"
    assert f"L'habilitation est « {before.label.lower()} »" in exc.value.message
    assert state() == snapshot


def test_deciding_on_a_provider_without_accreditation_creates_the_draft(provider, operator):
    with pytest.raises(InvalidTransition, match="« brouillon »"):
        decide_accreditation(operator, provider.organisation, S.ACCREDITED)
    # the refusal rolled everything back, the draft included
    assert not Accreditation.objects.exists()


@pytest.mark.parametrize("decision", [S.REFUSED, S.CHANGES_REQUESTED])
def test_reason_required_except_to_accredit(provider, operator, decision):
    with_status(provider.organisation, S.SUBMITTED)
    snapshot = state()
    with pytest.raises(InvalidInput) as exc:
        decide_accreditation(operator, provider.organisation, decision, "   ")
    assert (exc.value.code, exc.value.extra["field"]) == ("reason_required", "reason")
    assert state() == snapshot


def test_suspending_requires_a_reason(provider, operator):
    with_status(provider.organisation, S.ACCREDITED)
    with pytest.raises(InvalidInput, match="motif"):
        decide_accreditation(operator, provider.organisation, S.SUSPENDED, "")
    assert is_accredited(provider.organisation)


@pytest.mark.parametrize("decision", ["", "draft", "submitted", "habilitee"])
def test_unknown_decisions_are_refused(provider, operator, decision):
    with_status(provider.organisation, S.SUBMITTED)
    snapshot = state()
    with pytest.raises(InvalidInput) as exc:
        decide_accreditation(operator, provider.organisation, decision, "Motif")
    assert exc.value.extra["field"] == "decision"
    assert state() == snapshot


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.PROVIDER])
def test_only_the_operator_decides(make_actor, provider, kind):
    with_status(provider.organisation, S.SUBMITTED)
    snapshot = state()
    with pytest.raises(NotAllowed) as exc:
        decide_accreditation(make_actor(kind), provider.organisation, S.ACCREDITED)
    assert exc.value.code == "forbidden"
    assert state() == snapshot


def test_a_provider_cannot_accredit_itself(provider):
    with_status(provider.organisation, S.SUBMITTED)
    with pytest.raises(NotAllowed):
        decide_accreditation(provider, provider.organisation, S.ACCREDITED)
    assert accreditation_status(provider.organisation) == S.SUBMITTED


def test_another_programmes_operator_is_refused(provider, make_actor):
    with_status(provider.organisation, S.SUBMITTED)
    other = OrganisationFactory(programme=ProgrammeFactory(), operator=True)
    snapshot = state()
    with pytest.raises(NotAllowed) as exc:
        decide_accreditation(
            make_actor(Kind.OPERATOR, organisation=other), provider.organisation, S.ACCREDITED
        )
    assert exc.value.code == "other_programme"
    assert state() == snapshot


@pytest.mark.parametrize("kind", [Kind.REFERRER, Kind.DEPARTMENT, Kind.OPERATOR])
def test_only_provider_organisations_can_be_accredited(operator, programme, kind):
    organisation = OrganisationFactory(programme=programme, kind=kind)
    with pytest.raises(NotAProvider) as exc:
        decide_accreditation(operator, organisation, S.ACCREDITED)
    assert isinstance(exc.value, InvalidInput)
    assert organisation.name in exc.value.message
    assert state() == {"accreditations": [], "events": []}


def test_the_whole_history_is_kept(provider, operator):
    organisation = provider.organisation
    submit_accreditation(provider)
    decide_accreditation(operator, organisation, S.CHANGES_REQUESTED, "Ajoutez vos horaires.")
    submit_accreditation(provider)
    decide_accreditation(operator, organisation, S.ACCREDITED)
    decide_accreditation(operator, organisation, S.SUSPENDED, "Contrôle.")
    decide_accreditation(operator, organisation, S.ACCREDITED, "Contrôle levé.")
    steps = list(
        AccreditationEvent.objects.filter(accreditation__organisation=organisation).values_list(
            "before", "after", "user"
        )
    )
    p, o = provider.user.pk, operator.user.pk
    assert steps == [
        (S.DRAFT, S.SUBMITTED, p),
        (S.SUBMITTED, S.CHANGES_REQUESTED, o),
        (S.CHANGES_REQUESTED, S.SUBMITTED, p),
        (S.SUBMITTED, S.ACCREDITED, o),
        (S.ACCREDITED, S.SUSPENDED, o),
        (S.SUSPENDED, S.ACCREDITED, o),
    ]
    assert is_accredited(organisation)
