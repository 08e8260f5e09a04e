"""Reminders before a checkbook's end, queued and sent by ``passnum daily``: once per checkbook
and recipient."""

import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from passnum.common.text import without_email_addresses

from .enums import PassStatus
from .models import Checkbook, Reminder, ReminderRecipient

logger = logging.getLogger(__name__)

# The referrer and the person are reminded this many days before a checkbook's end.
REMINDER_DAYS_BEFORE_END = 30


def queue_reminders(today: datetime.date) -> int:
    """Queue one reminder per checkbook ending within 30 days that still has an unused pass:
    to the organisation that made the referral (when it has an email) and to the person (when
    their email is known). Returns how many were queued now."""
    checkbooks = (
        Checkbook.objects.with_unused_passes(today)
        .filter(expires_on__lte=today + datetime.timedelta(days=REMINDER_DAYS_BEFORE_END))
        .select_related("beneficiary", "prescription__referral__organisation")
        .order_by("pk")
    )
    already = set(
        Reminder.objects.filter(checkbook__in=checkbooks).values_list("checkbook_id", "recipient")
    )
    new = []
    for checkbook in checkbooks:
        recipients = {
            ReminderRecipient.REFERRER: _referrer_of(checkbook).email,
            ReminderRecipient.BENEFICIARY: checkbook.beneficiary.email,
        }
        for recipient, email in recipients.items():
            if email and (checkbook.pk, recipient) not in already:
                new.append(
                    Reminder(checkbook=checkbook, recipient=recipient, email=email, due_on=today)
                )
    # A concurrent run may have queued the same ones: the unique constraint keeps one.
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int


def send_reminders(now: datetime.datetime) -> SendResult:
    """Send every reminder not yet sent. A failure is logged and leaves that reminder unsent
    (the next run tries again); the others go on. A reminder whose checkbook has no unused
    pass left (all used, or expired by ``expire_passes``) is not sent: nothing to remind of."""
    pending = list(
        Reminder.objects.filter(sent_at__isnull=True)
        .select_related(
            "checkbook__beneficiary__commune", "checkbook__prescription__referral__organisation"
        )
        .annotate(
            passes_left=Count(
                "checkbook__passes", filter=Q(checkbook__passes__status=PassStatus.ASSIGNED)
            )
        )
        .order_by("pk")
    )
    sent = failed = 0
    for reminder in pending:
        if not reminder.passes_left:
            continue
        try:
            with transaction.atomic():
                # Claimed under a row lock: two runs at once never send one reminder twice.
                claimed = list(
                    Reminder.objects.select_for_update(skip_locked=True)
                    .filter(pk=reminder.pk, sent_at__isnull=True)
                    .values_list("pk", flat=True)
                )
                if not claimed:
                    continue
                reminder_message(reminder).send()
                Reminder.objects.filter(pk=reminder.pk).update(sent_at=now)
        except Exception as exc:
            failed += 1
            # Neither the address nor a traceback (the mail server's refusal quotes it).
            logger.error(
                "Rappel n° %s non envoyé : %s",
                reminder.pk,
                without_email_addresses(f"{type(exc).__name__}: {exc}"),
            )
        else:
            sent += 1
    return SendResult(sent=sent, failed=failed)


def _referrer_of(checkbook):
    return checkbook.prescription.referral.organisation


def where_to_use_url(commune) -> str:
    """The public « Où utiliser mes pass » page for the person's commune (absolute when the
    site's address is set in ``PASSNUM_SITE_URL``)."""
    base = getattr(settings, "PASSNUM_SITE_URL", "").rstrip("/")
    return f"{base}{reverse('www:where')}?{urlencode({'commune': commune.insee_code})}"


def _passes(count: int) -> str:
    return f"{count} pass" if count != 1 else "1 pass"


def reminder_message(reminder) -> EmailMessage:
    """The reminder's email, in French. The referrer reads the referral number and the
    person's first name and last name initial only."""
    checkbook = reminder.checkbook
    person = checkbook.beneficiary
    with translation.override("fr"):
        end = date_format(checkbook.expires_on, "j F Y")
    left = _passes(reminder.passes_left)
    link = where_to_use_url(person.commune)
    signature = (
        f"\n-- \n{settings.PASSNUM_SITE_TITLE} — {settings.PASSNUM_SITE_TAGLINE}\n"
        "Ce message est envoyé automatiquement : merci de ne pas y répondre.\n"
    )
    if reminder.recipient == ReminderRecipient.REFERRER:
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
    return EmailMessage(subject=subject, body=body + signature, to=[reminder.email])
