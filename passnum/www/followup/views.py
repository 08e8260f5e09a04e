"""« Pass non utilisés »: the dormant checkbooks of the people the actor may see (a referrer:
its own organisation's), « Relancer » one person or the selected ones (an email queued, or a
letter to print for a person without an email address), and the day's letters as a PDF.

The views parse, call the selectors and ``referrals.services.remind``, and show the French
messages; the rules are the domain's."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.common.ids import typed_id
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.passes.enums import ReminderChannel
from passnum.referrals.enums import FollowUpReason
from passnum.referrals.letters import letters_of, render_letters_pdf
from passnum.referrals.selectors import follow_up_for, letters_to_print, referral_for
from passnum.referrals.services import remind

from ..shared.decorators import actor_required
from ..shared.pagination import PAGE_SIZE, page_of
from .forms import LettersForm, ReasonFilterForm

# At most this many people reminded by one click (four pages of the list).
MAX_SELECTED = 4 * PAGE_SIZE


def person(referral) -> str:
    return f"{referral.beneficiary.first_name} {referral.beneficiary.last_name}"


@actor_required
def follow_up(request):
    actor = request.actor
    ensure_can(actor, Capability.FOLLOW_UP)
    today = timezone.localdate()
    filter_form = ReasonFilterForm(request.GET or None)
    reason = filter_form.cleaned_data["motif"] if filter_form.is_valid() else ""
    rows = follow_up_for(actor, reason=reason or None, today=today)
    page, pagination = page_of(request, rows, extra_query={"motif": reason})
    return render(
        request,
        "www/followup/list.html",
        {
            "title": "Pass non utilisés",
            "filter_form": filter_form,
            "reason": reason,
            "reason_label": FollowUpReason(reason).label.lower() if reason else "",
            "reasons": FollowUpReason,
            "page": page,
            "pagination": pagination,
            "letters_today": letters_to_print(actor, today, today=today).count(),
            "letters_form": LettersForm(initial={"jour": today}),
            "show_organisation": can(actor, Capability.VIEW_ALL_REFERRALS),
            "today": today,
        },
    )


def _back(request):
    """The list as it was (its reason and page, sent back by the form)."""
    query = {
        "motif": request.POST.get("motif", "")
        if request.POST.get("motif") in FollowUpReason.values
        else "",
        "page": typed_id(request.POST.get("page")) or "",
    }
    query = {k: v for k, v in query.items() if v}
    return redirect(reverse("www:follow_up") + (f"?{urlencode(query)}" if query else ""))


@require_POST
@actor_required
def follow_up_remind(request):
    """« Relancer » one person (the button of the row: ``referral``) or the selected ones
    (``referrals``); each reminder stands alone: one refused does not stop the others."""
    actor = request.actor
    ensure_can(actor, Capability.FOLLOW_UP)
    single = request.POST.get("referral")
    chosen = [single] if single else request.POST.getlist("referrals")
    chosen = list(dict.fromkeys(chosen))
    if not chosen:
        messages.error(request, "Sélectionnez au moins une personne à relancer.")
        return _back(request)
    if len(chosen) > MAX_SELECTED:
        messages.error(request, f"Relancez au plus {MAX_SELECTED} personnes à la fois.")
        return _back(request)
    by_email, by_letter, refused = [], [], []
    for value in chosen:
        referral_id = typed_id(value)
        if referral_id is None:
            refused.append(f"« {str(value)[:20]} » : cette orientation n'existe pas.")
            continue
        try:
            referral = referral_for(actor, referral_id)
            reminder = remind(actor, referral)
        except NotAllowed:
            raise
        except DomainError as exc:
            refused.append(f"orientation n° {referral_id} : {exc.message}")
            continue
        (by_email if reminder.channel == ReminderChannel.EMAIL else by_letter).append(
            person(referral)
        )
    _tell(request, by_email, by_letter, refused)
    return _back(request)


def _tell(request, by_email, by_letter, refused) -> None:
    if by_email:
        names = ", ".join(by_email)
        messages.success(
            request,
            f"Relance par courriel ({len(by_email)}) : {names}. Le courriel est mis en file "
            "d'envoi.",
        )
    if by_letter:
        names = ", ".join(by_letter)
        messages.success(
            request,
            f"Relance par lettre ({len(by_letter)}) : {names}. Sans courriel connu, la lettre "
            "est à imprimer : « Télécharger les lettres » ci-dessous.",
        )
    if refused:
        messages.error(request, "Relance impossible pour " + " ; ".join(refused))


@actor_required
def follow_up_letters(request):
    """The reminder letters of a day (today by default) as one PDF, a page per person."""
    actor = request.actor
    ensure_can(actor, Capability.FOLLOW_UP)
    today = timezone.localdate()
    form = LettersForm(request.GET or None)
    if request.GET and not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("www:follow_up")
    day = (form.cleaned_data.get("jour") if request.GET else None) or today
    reminders = list(letters_to_print(actor, day, today=today))
    if not reminders:
        messages.info(
            request,
            f"Aucune lettre de relance à imprimer pour le {day:%d/%m/%Y} (personnes sans "
            "courriel relancées ce jour-là, dont le chéquier a encore des pass utilisables).",
        )
        return redirect("www:follow_up")
    base_url = request.build_absolute_uri("/")
    content = render_letters_pdf(
        letters_of(reminders, base_url=base_url),
        sender=actor.organisation,
        day=day,
        base_url=base_url,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="lettres-relance-{day:%Y-%m-%d}.pdf"'
    return response
