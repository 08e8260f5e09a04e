"""« Dépenses d'ingénierie »: the operator records what it spends from the engineering share."""

from django.contrib import messages
from django.shortcuts import redirect, render

from passnum.common.exceptions import DomainError, NotAllowed
from passnum.organisations.permissions import Capability, ensure_can
from passnum.programmes.selectors import engineering_expenses_of, engineering_totals
from passnum.programmes.services import record_expense

from ..shared.decorators import actor_required
from ..shared.errors import attach_error
from ..shared.pagination import page_of
from .forms import ExpenseForm

# The service's names of fields, the form's.
FIELDS = {"amount_cents": "amount"}


@actor_required
def expenses(request):
    actor = request.actor
    ensure_can(actor, Capability.MANAGE_PROGRAMME)
    form = ExpenseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            expense = record_expense(
                actor,
                spent_on=data["spent_on"],
                label=data["label"],
                amount_cents=data["amount"],
                supplier=data["supplier"],
                reference=data["reference"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            field = exc.extra.get("field")
            exc.extra["field"] = FIELDS.get(field, field)
            attach_error(form, exc)
        else:
            messages.success(request, f"Dépense « {expense.label} » enregistrée.")
            return redirect("www:engineering")
    page, pagination = page_of(request, engineering_expenses_of(actor))
    return render(
        request,
        "www/engineering/expenses.html",
        {
            "title": "Dépenses d'ingénierie",
            "form": form,
            "totals": engineering_totals(actor.programme),
            "page": page,
            "pagination": pagination,
        },
    )
