"""Putting the domain's French messages on the page."""

from django.http import Http404

from passnum.common.exceptions import DomainError, NotFound


def attach_error(form, exc: DomainError) -> None:
    """Put a service's message on the field it names, or above the form."""
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def names_a_field(form, exc: DomainError) -> bool:
    return exc.extra.get("field") in form.fields


def or_404(find, *args):
    """``find(*args)``, its ``NotFound`` turned into the 404 page."""
    try:
        return find(*args)
    except NotFound as exc:
        raise Http404(exc.message) from exc
