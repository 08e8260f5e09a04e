"""Reminders to use a checkbook's passes.

Automatic: before a checkbook's end, queued by ``passnum daily`` in the outbox
(``passnum.notifications``) once per checkbook and recipient, and sent by ``passnum worker``.
Manual (« Pass non utilisés », ``referrals.services.remind``): the texts are here
(``follow_up_message``). Every reminder is a ``Reminder`` row, journaled on its checkbook.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from passnum.journal.enums import Action
from passnum.journal.services import record
from passnum.notifications.models import EmailKind
from passnum.notifications.services import queue_email
from passnum.programmes.models import Programme

from .enums import PassStatus, ReminderChannel, ReminderOrigin
from .models import Checkbook, Pass, Reminder, ReminderRecipient

# The referrer and the person are reminded this many days before a checkbook's end.

KIND_OF = {
    ReminderRecipient.REFERRER: EmailKind.REMINDER_REFERRER,
    ReminderRecipient.BENEFICIARY: EmailKind.REMINDER_BENEFICIARY,
}


def queue_reminders(today: datetime.date) -> int:
    """Queue one reminder per checkbook ending within its programme's delay (30 days unless set
    otherwise) that still has an unused pass:
    to the organisation that made the referral (when it has an email) and to the person (when
    their email is known). Each one is an email in the outbox, linked to its ``Reminder`` row.
    Returns how many were queued now."""
    unused = (
        Pass.objects.filter(checkbook=OuterRef("pk"), status=PassStatus.ASSIGNED)
        .order_by()
        .values("checkbook")
        .annotate(count=Count("pk"))
        .values("count")
    )
    # Each programme sets how long before the end its reminders go.
    due = Q()
    for programme_id, days in Programme.objects.values_list("pk", "reminder_days_before_end"):
        due |= Q(programme_id=programme_id, expires_on__lte=today + datetime.timedelta(days=days))
    checkbooks = (
        Checkbook.objects.with_unused_passes(today)
        .filter(due)
        .annotate(passes_left=Subquery(unused))
        .select_related(
            "programme", "beneficiary__commune", "prescription__referral__organisation"
        )
        .order_by("pk")
    )
    # Sent already, or the person was reminded by hand today (once a day: the automatic
    # reminder then goes on a later run).
    already = set(
        Reminder.objects.filter(checkbook__in=checkbooks)
        .filter(Q(origin=ReminderOrigin.AUTOMATIC) | Q(due_on=today))
        .values_list("checkbook_id", "recipient")
    )
    queued = 0
    with transaction.atomic():
        for checkbook in checkbooks:
            recipients = {
                ReminderRecipient.REFERRER: _referrer_of(checkbook).email,
                ReminderRecipient.BENEFICIARY: checkbook.beneficiary.email,
            }
            for recipient, address in recipients.items():
                if address and (checkbook.pk, recipient) not in already:
                    queued += _queue_one(checkbook, recipient, address, today)
    return queued


def _queue_one(checkbook, recipient, address, today) -> bool:
    subject, body = reminder_message(checkbook, recipient, checkbook.passes_left)
    try:
        with transaction.atomic():
            email = queue_email(
                kind=KIND_OF[recipient],
                recipient=address,
                subject=subject,
                body=body,
                programme=checkbook.programme,
            )
            reminder = Reminder.objects.create(
                checkbook=checkbook,
                recipient=recipient,
                channel=ReminderChannel.EMAIL,
                origin=ReminderOrigin.AUTOMATIC,
                due_on=today,
                message=email,
            )
            journal_reminder(None, reminder)
    except IntegrityError:
        # A concurrent run queued it first (reminder_once_per_recipient), or the person was
        # reminded by hand meanwhile (reminder_once_a_day): that one stands, this one is rolled
        # back with its task.
        return False
    return True


def journal_reminder(actor, reminder) -> None:
    """Journal a reminder on its checkbook: facts only (no address, no name)."""
    record(
        actor,
        reminder.checkbook,
        Action.REMINDED,
        data={
            "reminder": reminder.pk,
            "recipient": reminder.recipient,
            "channel": reminder.channel,
            "origin": reminder.origin,
        },
    )


def reminder_still_due(email) -> bool:
    """Asked by the outbox before each attempt: a reminder whose checkbook has ended or has no
    unused pass left (all used, or expired by ``expire_passes``) is not sent."""
    return (
        Checkbook.objects.with_unused_passes(timezone.localdate())
        .filter(reminders__message=email)
        .exists()
    )


def _referrer_of(checkbook):
    return checkbook.prescription.referral.organisation


def site_url(base: str | None = None) -> str:
    """The site's public address (``PASSNUM_SITE_URL``, else ``base``; empty: relative links)."""
    return (getattr(settings, "PASSNUM_SITE_URL", "") or base or "").rstrip("/")


def where_to_use_url(commune, base: str | None = None) -> str:
    """The public « Où utiliser mes pass » page for the person's commune (absolute when the
    site's address is set in ``PASSNUM_SITE_URL``, or given as ``base``)."""
    return f"{site_url(base)}{reverse('www:where')}?{urlencode({'commune': commune.insee_code})}"


def check_passes_url(base: str | None = None) -> str:
    """The public « Vérifier mes pass » page."""
    return f"{site_url(base)}{reverse('www:check_passes')}"


def _passes(count: int) -> str:
    return f"{count} pass" if count != 1 else "1 pass"


def reminder_message(checkbook, recipient, passes_left: int) -> tuple[str, str]:
    """The reminder's subject and body, in French. The referrer reads the referral number and
    the person's first name and last name initial only."""
    person = checkbook.beneficiary
    with translation.override("fr"):
        end = date_format(checkbook.expires_on, "j F Y")
    left = _passes(passes_left)
    link = where_to_use_url(person.commune)
    signature = (
        f"\n-- \n{settings.PASSNUM_SITE_TITLE} — {settings.PASSNUM_SITE_TAGLINE}\n"
        "Ce message est envoyé automatiquement : merci de ne pas y répondre.\n"
    )
    if recipient == ReminderRecipient.REFERRER:
        referral = checkbook.prescription.referral
        name = f"{person.first_name} {person.last_name[:1].upper()}."
        subject = f"Pass numérique : fin du chéquier de {name} le {end}"
        body = (
            "Bonjour,\n\n"
            f"Le chéquier Pass numérique n° {checkbook.number} de {name}, que votre structure a "
            f"orienté(e) (orientation n° {referral.pk}), se termine le {end}. "
            f"Il lui reste {left} à utiliser.\n\n"
            "Vous pouvez lui rappeler de prendre rendez-vous dans un lieu habilité. "
            f"Où utiliser ses pass : {link}\n\n"
            "Après cette date, les pass non utilisés ne seront plus acceptés.\n"
        )
    else:
        subject = f"Vos Pass numériques se terminent le {end}"
        body = (
            f"Bonjour {person.first_name},\n\n"
            f"Il vous reste {left} numérique(s) du chéquier n° {checkbook.number}, "
            f"à utiliser avant le {end}. Chaque pass donne droit à une heure "
            "d'accompagnement au numérique dans un lieu habilité.\n\n"
            f"Où utiliser mes pass : {link}\n\n"
            "Après cette date, les pass non utilisés ne seront plus acceptés.\n"
        )
    return subject, body + signature


def follow_up_message(checkbook, passes_left: int, organisation) -> tuple[str, str]:
    """The subject and body of a manual reminder to the person (templates
    ``emails/follow_up_*.txt``), signed with the organisation that reminds."""
    person = checkbook.beneficiary
    with translation.override("fr"):
        context = {
            "first_name": person.first_name,
            "number": checkbook.number,
            "passes_left": passes_left,
            "issued_on": date_format(checkbook.issued_on, "j F Y"),
            "end": date_format(checkbook.expires_on, "j F Y"),
            "where_url": where_to_use_url(person.commune),
            "check_url": check_passes_url(),
            "organisation": organisation.name,
            "site_title": settings.PASSNUM_SITE_TITLE,
            "site_tagline": settings.PASSNUM_SITE_TAGLINE,
        }
        subject = render_to_string("emails/follow_up_subject.txt", context)
        body = render_to_string("emails/follow_up_body.txt", context)
    return " ".join(subject.split()), body
