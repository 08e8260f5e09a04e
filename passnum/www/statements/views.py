"""Statement pages: the operator's « Relevés » (generate, validate, pay, SEPA transfer) and the
provider's « Mes relevés »; each statement's PDF and CSV.

The views parse the forms and call the services; the rules and their French messages stay in
``passnum.statements``.
"""

import datetime

from django.contrib import messages
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.common.templatetags.passnum import euros
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.statements.documents import statement_csv, statement_pdf
from passnum.statements.models import StatementStatus
from passnum.statements.periods import month_label, statement_number
from passnum.statements.selectors import (
    statement_for,
    statement_lines,
    statements_visible_to,
)
from passnum.statements.services import (
    export_sepa,
    generate_statements,
    pay_statement,
    validate_statement,
)

from ..shared.decorators import actor_required
from ..shared.errors import attach_error, names_a_field, or_404
from ..shared.pagination import page_of
from .forms import GenerateForm, PayForm, SepaForm, StatementFilterForm


def statement_or_404(actor, statement_id):
    return or_404(statement_for, actor, statement_id)


def validated_statements(actor):
    return list(statements_visible_to(actor, status=StatementStatus.VALIDATED))


def render_list(request, *, generate_form=None, sepa_form=None):
    actor = request.actor
    today = timezone.localdate()
    visible = statements_visible_to(actor)
    months = list(visible.order_by().values_list("period", flat=True).distinct())
    filter_form = StatementFilterForm(request.GET or None, months=sorted(months, reverse=True))
    status = period = ""
    if filter_form.is_valid():
        status = filter_form.cleaned_data["status"]
        period = filter_form.cleaned_data["period"]
    statements = statements_visible_to(actor, status=status or None, period=period or None)
    totals = statements.order_by().aggregate(
        count=Count("pk"), passes=Sum("passes_count"), amount=Sum("amount_cents")
    )
    page, pagination = page_of(
        request, statements, extra_query={"status": status, "period": period}
    )
    manages = can(actor, Capability.MANAGE_STATEMENTS)
    context = {
        "title": "Relevés de remboursement" if manages else "Mes relevés",
        "filter_form": filter_form,
        "filtered": bool(status or period),
        "page": page,
        "pagination": pagination,
        "totals": {
            "count": totals["count"],
            "passes": totals["passes"] or 0,
            "amount": totals["amount"] or 0,
        },
        "show_organisation": can(actor, Capability.VIEW_ALL_STATEMENTS),
        "manages": manages,
    }
    if manages:
        validated = validated_statements(actor)
        context["generate_form"] = generate_form or GenerateForm(today=today)
        context["sepa_form"] = sepa_form or SepaForm(validated=validated)
        context["has_validated"] = bool(validated)
    return render(request, "www/statements/list.html", context)


@actor_required
def statement_list(request):
    ensure_can(request.actor, Capability.VIEW_OWN_STATEMENTS)
    return render_list(request)


@require_POST
@actor_required
def statement_generate(request):
    actor = request.actor
    ensure_can(actor, Capability.MANAGE_STATEMENTS)
    form = GenerateForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        return render_list(request, generate_form=form)
    period = form.cleaned_data["period"]
    try:
        made = generate_statements(actor, period)
    except NotAllowed:
        raise
    except DomainError as exc:
        attach_error(form, exc)
        return render_list(request, generate_form=form)
    label = month_label(datetime.date.fromisoformat(f"{period}-01"))
    if made:
        names = ", ".join(s.organisation.name for s in made)
        messages.success(
            request,
            f"Relevés de {label} établis ou complétés ({len(made)}) : {names}. Vérifiez-les "
            "puis validez-les.",
        )
    else:
        messages.info(
            request, f"Aucun pass encaissé à relever pour {label} : aucun relevé établi."
        )
    return redirect("www:statements")


def render_detail(request, statement, *, pay_form=None, status=200):
    actor = request.actor
    manages = can(actor, Capability.MANAGE_STATEMENTS)
    return render(
        request,
        "www/statements/detail.html",
        {
            "title": f"Relevé n° {statement_number(statement)}",
            "statement": statement,
            "number": statement_number(statement),
            "month": month_label(statement.period),
            "lines": statement_lines(statement),
            "can_validate": manages and statement.status == StatementStatus.DRAFT,
            "can_pay": manages and statement.status == StatementStatus.VALIDATED,
            "pay_form": pay_form or PayForm(),
            "show_organisation": can(actor, Capability.VIEW_ALL_STATEMENTS),
        },
        status=status,
    )


@actor_required
def statement_detail(request, statement_id):
    return render_detail(request, statement_or_404(request.actor, statement_id))


@require_POST
@actor_required
def statement_validate(request, statement_id):
    actor = request.actor
    ensure_can(actor, Capability.MANAGE_STATEMENTS)
    statement = statement_or_404(actor, statement_id)
    try:
        validate_statement(actor, statement)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Relevé n° {statement_number(statement)} de {statement.organisation.name} validé "
            f"({euros(statement.amount_cents)}) : il peut être viré puis payé.",
        )
    return redirect("www:statement", statement.pk)


@require_POST
@actor_required
def statement_pay(request, statement_id):
    actor = request.actor
    ensure_can(actor, Capability.MANAGE_STATEMENTS)
    statement = statement_or_404(actor, statement_id)
    form = PayForm(request.POST)
    if not form.is_valid():
        return render_detail(request, statement, pay_form=form)
    try:
        pay_statement(
            actor, statement, form.cleaned_data["paid_on"], form.cleaned_data["reference"]
        )
    except NotAllowed:
        raise
    except DomainError as exc:
        if names_a_field(form, exc):
            attach_error(form, exc)
            return render_detail(request, statement, pay_form=form)
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Paiement du relevé n° {statement_number(statement)} enregistré "
            f"({euros(statement.amount_cents)}) : ses {statement.passes_count} pass sont "
            "remboursés.",
        )
    return redirect("www:statement", statement.pk)


@require_POST
@actor_required
def statement_sepa(request):
    actor = request.actor
    ensure_can(actor, Capability.MANAGE_STATEMENTS)
    validated = validated_statements(actor)
    form = SepaForm(request.POST, validated=validated)
    if not form.is_valid():
        return render_list(request, sepa_form=form)
    chosen = [s for s in validated if str(s.pk) in form.cleaned_data["statements"]]
    execution_date = form.cleaned_data["execution_date"]
    try:
        content = export_sepa(
            actor, chosen, execution_date, reexport_reason=form.cleaned_data["reexport_reason"]
        )
    except DomainError as exc:
        attach_error(form, exc)
        return render_list(request, sepa_form=form)
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = (
        f'attachment; filename="virement-sepa-pass-numerique-{execution_date:%Y-%m-%d}.xml"'
    )
    return response


def _filename(statement, extension) -> str:
    return f"releve-pass-numerique-{statement_number(statement)}.{extension}"


@actor_required
def statement_pdf_view(request, statement_id):
    statement = statement_or_404(request.actor, statement_id)
    response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(statement, "pdf")}"'
    return response


@actor_required
def statement_csv_view(request, statement_id):
    statement = statement_or_404(request.actor, statement_id)
    # with a byte-order mark, spreadsheets read the accents right
    response = HttpResponse(
        "\ufeff" + statement_csv(statement), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(statement, "csv")}"'
    return response
