"""Provider pages: « Encaisser des pass » (type or scan the codes), « Mes séances », one session
and its undo. The views parse the forms, call the redemption service and put its French
messages on the page — a refused code on its own field."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.common.formats import euros_with_cents
from passnum.paths.models import Path
from passnum.redemptions.exceptions import RedemptionRefused
from passnum.redemptions.selectors import redeemed_serials, session_for, sessions_of
from passnum.redemptions.services import ensure_may_redeem, redeem, undo_deadline, undo_session
from passnum.referential.enums import Service

from ..shared.decorators import actor_required
from ..shared.errors import attach_error, names_a_field, or_404
from ..shared.pagination import page_of
from .forms import RedeemForm, UndoForm, code_fields_count


def duration_text(minutes: int) -> str:
    """90 → « 1 h 30 »."""
    hours, rest = divmod(minutes, 60)
    return f"{hours}\u00a0h" + (f"\u00a0{rest:02d}" if rest else "")


def attach_refusal(form: RedeemForm, typed: list[tuple[str, str]], exc: RedemptionRefused):
    """Each refused pass's message under the field where it was typed (the refusal lists the
    bad passes in the order typed)."""
    position = 0
    for bad in exc.passes:
        while position < len(typed) and typed[position][1] != bad["input"]:
            position += 1
        if position == len(typed):
            form.add_error(None, f"{bad['input']} : {bad['message']}")
            continue
        form.add_error(typed[position][0], bad["message"])
        position += 1
    count = len(exc.passes)
    if count == 1:
        summary = "1 code est refusé. Corrigez-le ou retirez-le"
    else:
        summary = f"{count} codes sont refusés. Corrigez-les ou retirez-les"
    form.add_error(
        None, f"Aucun pass n'a été encaissé : {summary}, puis envoyez de nouveau le formulaire."
    )


def redeem_form(request, actor, data=None):
    return RedeemForm(
        data,
        paths=Path.objects.filter(programme=actor.programme, is_active=True).order_by("name"),
        places=actor.organisation.places.order_by("name"),
        code_fields=code_fields_count(request.GET, data or {}),
    )


def _redeem(actor, form: RedeemForm, typed):
    data = form.cleaned_data
    return redeem(
        actor,
        codes=[text for _, text in typed],
        date=data["date"],
        duration_minutes=data["duration_minutes"],
        services=data["services"],
        path=data["path"],
        place=data.get("place"),
        place_type=data["place_type"],
        kind=data["kind"],
    )


@actor_required
def redeem_passes(request):
    actor = request.actor
    ensure_may_redeem(actor)
    form = redeem_form(request, actor, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        typed = form.typed_codes()
        try:
            session = _redeem(actor, form, typed)
        except NotAllowed:
            raise
        except RedemptionRefused as exc:
            attach_refusal(form, typed, exc)
        except DomainError as exc:
            if exc.extra.get("field") == "codes":
                form.add_error("code_1", exc.message)
            else:
                attach_error(form, exc)
        else:
            passes = session.redeemed_passes
            count = len(passes)
            amount = sum(p.value_cents for p in passes)
            messages.success(
                request,
                f"{count} pass encaissé{'s' if count > 1 else ''} pour la séance du "
                f"{session.date:%d/%m/%Y} : {', '.join(p.serial for p in passes)} "
                f"({euros_with_cents(amount)}).",
            )
            return redirect("www:session", session.pk)
    return render(
        request,
        "www/redemptions/redeem.html",
        {
            "title": "Encaisser des pass",
            "form": form,
            "more_fields": min(len(form.code_names) + 5, 50),
            "can_add_fields": len(form.code_names) < 50,
        },
    )


# Sessions


def undo_possible(session, now) -> bool:
    return session.undone_at is None and not session.in_statement and now <= undo_deadline(session)


def services_text(session) -> str:
    if session.path_id:
        return f"Parcours « {session.path.name} »"
    return ", ".join(Service(code).label for code in session.services if code in Service.values)


@actor_required
def session_list(request):
    actor = request.actor
    sessions = sessions_of(actor)
    page, pagination = page_of(request, sessions)
    now = timezone.now()
    rows = [
        {
            "session": s,
            "services": services_text(s),
            "duration": duration_text(s.duration_minutes),
            "amount": euros_with_cents(s.amount_cents),
            "can_undo": undo_possible(s, now),
        }
        for s in page
    ]
    return render(
        request,
        "www/redemptions/sessions.html",
        {"title": "Mes séances", "page": page, "pagination": pagination, "rows": rows},
    )


def session_or_404(actor, session_id):
    return or_404(session_for, actor, session_id)


def render_session(request, session, undo_form=None, status=200):
    return render(
        request,
        "www/redemptions/session.html",
        {
            "title": f"Séance du {session.date:%d/%m/%Y}",
            "session": session,
            "services": services_text(session),
            "duration": duration_text(session.duration_minutes),
            "amount": euros_with_cents(session.amount_cents),
            "serials": redeemed_serials(session),
            "can_undo": undo_possible(session, timezone.now()),
            "deadline": undo_deadline(session),
            "undo_form": undo_form or UndoForm(),
        },
        status=status,
    )


@actor_required
def session_detail(request, session_id):
    return render_session(request, session_or_404(request.actor, session_id))


@require_POST
@actor_required
def session_undo(request, session_id):
    actor = request.actor
    session = session_or_404(actor, session_id)
    form = UndoForm(request.POST)
    form.is_valid()
    try:
        undo_session(actor, session, form.cleaned_data.get("reason", ""))
    except NotAllowed:
        raise
    except DomainError as exc:
        if names_a_field(form, exc):
            attach_error(form, exc)
            return render_session(request, session, form)
        messages.error(request, exc.message)
    else:
        count = session.passes_count
        again = "redeviennent utilisables" if count > 1 else "redevient utilisable"
        messages.success(
            request, f"Séance du {session.date:%d/%m/%Y} annulée : {count} pass {again}."
        )
    return redirect("www:session", session.pk)
