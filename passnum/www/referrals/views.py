"""Orientation pages: orient a person, the referrals, the Département's queue, one referral.

The views parse the forms, call the services and selectors, and put their French messages on
the page (on the field they name, or as an alert); they never decide a rule themselves.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from passnum.beneficiaries.selectors import possible_duplicates
from passnum.beneficiaries.services import BeneficiaryData
from passnum.common.exceptions import DomainError, NotAllowed
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.passes.selectors import budget_for
from passnum.referrals.enums import ReferralStatus
from passnum.referrals.exceptions import PossibleDuplicate
from passnum.referrals.presenters import present_referral
from passnum.referrals.selectors import referral_for, referrals_visible_to
from passnum.referrals.services import OnDuplicate, prescribe, refer, reject, withdraw

from ..shared.decorators import actor_required
from ..shared.errors import attach_error, names_a_field, or_404
from ..shared.pagination import page_of
from .forms import ReferralForm, RejectForm, StatusFilterForm, WithdrawForm


def referral_or_404(actor, referral_id):
    return or_404(referral_for, actor, referral_id)


def person(referral) -> str:
    return f"{referral.beneficiary.first_name} {referral.beneficiary.last_name}"


# « Orienter une personne »


def _refer(actor, form: ReferralForm):
    data = form.cleaned_data
    return refer(
        actor,
        publics=data["publics"],
        needs=data["needs"],
        comment=data["comment"],
        beneficiary_data=BeneficiaryData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_date=data["birth_date"],
            commune=data["commune"],
            email=data["email"],
            phone=data["phone"],
            notice_given_on=data["notice_given_on"],
        ),
        on_duplicate=OnDuplicate.CREATE if form.confirms_new_person else OnDuplicate.ASK,
        # the person picked among the possible duplicates; the service checks the identity
        chosen_beneficiary_id=form.chosen_duplicate_id,
    )


@actor_required
def referral_new(request):
    actor = request.actor
    ensure_can(actor, Capability.REFER)
    form = ReferralForm(request.POST or None, programme=actor.programme)
    candidates, answer = [], ""
    if request.method == "POST" and form.is_valid():
        identity = {k: form.cleaned_data[k] for k in ("first_name", "last_name", "birth_date")}
        answer = form.cleaned_data["duplicate"]
        try:
            referral = _refer(actor, form)
        except PossibleDuplicate as exc:
            candidates, answer = exc.extra["candidates"], ""
        except NotAllowed:
            raise
        except DomainError as exc:
            attach_error(form, exc)
            if answer:  # keep the question answered, with the answer given
                candidates = list(possible_duplicates(actor, **identity))
        else:
            messages.success(
                request,
                f"Orientation n° {referral.pk} enregistrée pour {person(referral)} "
                f"(rang {referral.tier}) : le Département va instruire la demande.",
            )
            return redirect("www:referral", referral.pk)
    return render(
        request,
        "www/referrals/new.html",
        {
            "title": "Orienter une personne",
            "form": form,
            "candidates": candidates,
            "answer": answer,
        },
    )


# Lists


@actor_required
def referral_list(request):
    actor = request.actor
    filter_form = StatusFilterForm(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    referrals = referrals_visible_to(actor, status=status or None)
    page, pagination = page_of(request, referrals, extra_query={"status": status})
    return render(
        request,
        "www/referrals/list.html",
        {
            "title": "Orientations du programme"
            if can(actor, Capability.VIEW_ALL_REFERRALS)
            else "Orientations de ma structure",
            "filter_form": filter_form,
            "status": status,
            "status_label": ReferralStatus(status).label.lower() if status else "",
            "page": page,
            "pagination": pagination,
            "show_people": can(actor, Capability.VIEW_PEOPLE),
            "show_organisation": can(actor, Capability.VIEW_ALL_REFERRALS),
            "can_refer": can(actor, Capability.REFER),
        },
    )


@actor_required
def queue(request):
    actor = request.actor
    ensure_can(actor, Capability.PRESCRIBE)
    programme = actor.programme
    referrals = referrals_visible_to(actor, status=ReferralStatus.PENDING)
    page, pagination = page_of(request, referrals)
    budget = budget_for(programme)
    return render(
        request,
        "www/referrals/queue.html",
        {
            "title": "File d'attente",
            "page": page,
            "pagination": pagination,
            "budget": budget,
        },
    )


# One referral


def render_referral(request, referral, *, reject_form=None, withdraw_form=None):
    """The referral as the presenter gives it to this actor — the same fields as the API."""
    actor = request.actor
    pending = referral.is_pending
    own = referral.organisation_id == actor.organisation.pk
    return render(
        request,
        "www/referrals/detail.html",
        {
            "title": f"Orientation n° {referral.pk}",
            "r": present_referral(actor, referral, today=timezone.localdate()),
            "can_print": can(actor, Capability.PRINT_CHECKBOOK),
            "can_decide": pending and can(actor, Capability.PRESCRIBE),
            "can_withdraw": pending and own and can(actor, Capability.REFER),
            "reject_form": reject_form or RejectForm(),
            "withdraw_form": withdraw_form or WithdrawForm(),
        },
    )


@actor_required
def referral_detail(request, referral_id):
    return render_referral(request, referral_or_404(request.actor, referral_id))


@require_POST
@actor_required
def referral_prescribe(request, referral_id):
    actor = request.actor
    referral = referral_or_404(actor, referral_id)
    try:
        prescription = prescribe(
            actor, referral, distinct_person=request.POST.get("distinct_person") == "1"
        )
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        checkbook = prescription.checkbook
        messages.success(
            request,
            f"Chéquier n° {checkbook.number} attribué à {person(referral)} : "
            f"{checkbook.passes.count()} pass valables jusqu'au "
            f"{checkbook.expires_on:%d/%m/%Y}.",
        )
    return redirect("www:referral", referral.pk)


def _act_with_reason(request, referral_id, form_class, action, success, form_name):
    """A POST that changes a referral with a reason (refuse, withdraw): the service decides;
    its error goes on the reason field (page shown again) or in an alert."""
    actor = request.actor
    referral = referral_or_404(actor, referral_id)
    form = form_class(request.POST)
    form.is_valid()
    try:
        action(actor, referral, form.cleaned_data.get("reason", ""))
    except NotAllowed:
        raise
    except DomainError as exc:
        if names_a_field(form, exc):
            attach_error(form, exc)
            return render_referral(request, referral, **{form_name: form})
        messages.error(request, exc.message)
    else:
        messages.success(request, success.format(number=referral.pk, person=person(referral)))
    return redirect("www:referral", referral.pk)


@require_POST
@actor_required
def referral_reject(request, referral_id):
    return _act_with_reason(
        request,
        referral_id,
        RejectForm,
        reject,
        "L'orientation n° {number} de {person} est refusée ; la structure qui l'a faite verra "
        "le motif.",
        "reject_form",
    )


@require_POST
@actor_required
def referral_withdraw(request, referral_id):
    return _act_with_reason(
        request,
        referral_id,
        WithdrawForm,
        withdraw,
        "L'orientation n° {number} de {person} est retirée : le Département ne l'instruira pas.",
        "withdraw_form",
    )
