"""Orientation and prescription: the business rules, each change in one transaction."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from passnum.beneficiaries.models import Beneficiary
from passnum.beneficiaries.selectors import (
    other_records_of,
    people_visible_to,
    possible_duplicates,
)
from passnum.beneficiaries.services import (
    BeneficiaryData,
    check_birth_date,
    clean_beneficiary_data,
    create_beneficiary,
)
from passnum.common.exceptions import InvalidInput, NotAllowed, NotFound
from passnum.journal.enums import Action
from passnum.journal.services import record
from passnum.notifications.models import EmailKind
from passnum.notifications.services import queue_email
from passnum.organisations.permissions import Capability, can, ensure_can
from passnum.passes.enums import ReminderChannel, ReminderOrigin, ReminderRecipient
from passnum.passes.models import Checkbook, Reminder
from passnum.passes.reminders import follow_up_message, journal_reminder
from passnum.passes.services import assign_checkbook
from passnum.passes.transitions import usable_for_new_session_q
from passnum.programmes.services import lock_programme
from passnum.referential.enums import Public, Service, tier_of

from .enums import ReferralStatus
from .exceptions import (
    AlreadyHasCheckbook,
    AlreadyPending,
    AlreadyRemindedToday,
    NothingToRemind,
    NotPending,
    PossibleDuplicate,
    ProgrammeClosed,
    PublicInconsistentWithAge,
)
from .models import Prescription, Referral

SENIOR_AGE = 60
YOUTH_AGES = (16, 25)
COMMENT_MAX = 2000


class OnDuplicate:
    """What to do when people with the same names and birth date exist."""

    ASK = "ask"  # raise PossibleDuplicate (the web form then shows them)
    CREATE = "create"  # the person creating the referral confirmed a new person
    REUSE = "reuse"  # take the one matching person when they live in the same commune (API)


def _codes(values, enum, field: str, label: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    unknown = [v for v in values if v not in enum.values]
    if unknown:
        raise InvalidInput(
            f"{label} inconnu(s) : {', '.join(map(str, unknown))}.",
            code="invalid_input",
            field=field,
        )
    return [v for v in enum.values if v in values]  # the vocabulary's order


def publics_for_age(publics: list[str], age: int) -> list[str]:
    """Check the age-based publics against the age and add the one the age implies."""
    chosen = set(publics)
    if Public.SENIOR in chosen and age < SENIOR_AGE:
        raise PublicInconsistentWithAge(
            f"Le public « {Public.SENIOR.label} » ne correspond pas à l'âge de la personne "
            f"({age} ans).",
            field="publics",
        )
    if Public.JEUNE in chosen and not YOUTH_AGES[0] <= age <= YOUTH_AGES[1]:
        raise PublicInconsistentWithAge(
            f"Le public « {Public.JEUNE.label} » ne correspond pas à l'âge de la personne "
            f"({age} ans).",
            field="publics",
        )
    if age >= SENIOR_AGE:
        chosen.add(Public.SENIOR)
    if YOUTH_AGES[0] <= age <= YOUTH_AGES[1]:
        chosen.add(Public.JEUNE)
    return [code for code in Public.values if code in chosen]


def ensure_may_receive_checkbook(beneficiary, programme, today) -> None:
    """409 ``already_has_checkbook`` while the person holds unused, unexpired passes or has
    reached the programme's maximum number of checkbooks (on this record of the person)."""
    checkbooks = Checkbook.objects.filter(beneficiary=beneficiary)
    if checkbooks.count() >= programme.max_checkbooks_per_person:
        raise AlreadyHasCheckbook(
            f"Cette personne a déjà reçu {programme.max_checkbooks_per_person} chéquier(s) : "
            "c'est le maximum permis par le programme."
        )
    if checkbooks.with_unused_passes(today).exists():
        raise AlreadyHasCheckbook(
            "Cette personne a déjà un chéquier en cours avec des pass non utilisés."
        )


def ensure_no_checkbook_elsewhere(beneficiary, programme, today) -> None:
    """For the Département, at prescription: the same person recorded by another organisation
    must not hold a running checkbook, nor have reached the maximum, there either."""
    others = list(other_records_of(beneficiary).select_related("created_by_organisation"))
    if not others:
        return
    checkbooks = Checkbook.objects.filter(beneficiary__in=others)
    running = checkbooks.with_unused_passes(today).select_related("beneficiary").first()
    if running is not None:
        author = running.beneficiary.created_by_organisation
        raise AlreadyHasCheckbook(
            "Une personne de mêmes nom, prénom et date de naissance"
            + (f", orientée par « {author.name} »," if author else "")
            + f" a déjà un chéquier en cours (n° {running.number}, jusqu'au "
            f"{running.expires_on:%d/%m/%Y}). S'il s'agit de la même personne, refusez cette "
            "orientation ; sinon, confirmez qu'il s'agit d'une autre personne.",
            field="distinct_person",
        )
    total = checkbooks.count() + Checkbook.objects.filter(beneficiary=beneficiary).count()
    if total >= programme.max_checkbooks_per_person:
        raise AlreadyHasCheckbook(
            "Une personne de mêmes nom, prénom et date de naissance, orientée par une autre "
            f"structure, a déjà reçu {programme.max_checkbooks_per_person} chéquier(s), le "
            "maximum du programme. S'il s'agit de la même personne, refusez cette orientation ; "
            "sinon, confirmez qu'il s'agit d'une autre personne.",
            field="distinct_person",
        )


def _find_or_create_beneficiary(
    actor, data, on_duplicate, today, chosen_id=None
) -> tuple[Beneficiary, bool]:
    data = clean_beneficiary_data(data, actor.programme, today)
    # Only the people the actor's organisation recorded (the Département: everyone): another
    # organisation's record of the same person is neither shown nor reused — the new record is
    # flagged to the Département, which resolves it in its queue.
    duplicates = list(possible_duplicates(actor, data.first_name, data.last_name, data.birth_date))
    if chosen_id is not None:
        # Only a person with the typed identity can be chosen: an identifier alone never
        # gives access to someone.
        chosen = [d for d in duplicates if d.pk == chosen_id]
        if not chosen:
            raise InvalidInput(
                "La personne choisie ne correspond pas aux nom, prénom et date de naissance "
                "saisis.",
                code="invalid_input",
                field="beneficiary_id",
            )
        return chosen[0], False
    if (
        on_duplicate == OnDuplicate.REUSE
        and len(duplicates) == 1
        and duplicates[0].commune_id == data.commune.pk
    ):
        return duplicates[0], False
    if duplicates and on_duplicate != OnDuplicate.CREATE:
        raise PossibleDuplicate(candidates=duplicates)
    return create_beneficiary(actor, data), True


def refer(
    actor,
    *,
    publics,
    needs,
    comment: str = "",
    beneficiary: Beneficiary | None = None,
    beneficiary_data: BeneficiaryData | None = None,
    on_duplicate: str = OnDuplicate.ASK,
    chosen_beneficiary_id: int | None = None,
    today=None,
) -> Referral:
    """Orient a person: an existing ``beneficiary``, or the person that ``beneficiary_data``
    describes — a new one, or, when people with that identity exist, the one whose id is
    ``chosen_beneficiary_id`` (else ``on_duplicate`` decides)."""
    ensure_can(actor, Capability.REFER)
    today = today or timezone.localdate()
    publics = _codes(publics, Public, "publics", "Public(s)")
    needs = _codes(needs, Service, "needs", "Besoin(s)")
    if not needs:
        raise InvalidInput(
            "Indiquez au moins un besoin de la personne.", code="invalid_input", field="needs"
        )
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(
            f"Le commentaire dépasse {COMMENT_MAX} caractères.",
            code="invalid_input",
            field="comment",
        )
    if beneficiary is not None and not people_visible_to(actor).filter(pk=beneficiary.pk).exists():
        raise NotFound("Personne introuvable.")
    if beneficiary is None and beneficiary_data is None:
        raise InvalidInput("Indiquez la personne orientée.", code="invalid_input")
    declared = publics
    try:
        with transaction.atomic():
            # Serialises referrals of a programme: the same new person cannot be recorded twice.
            lock_programme(actor.programme)
            created = False
            if beneficiary is None:
                beneficiary, created = _find_or_create_beneficiary(
                    actor, beneficiary_data, on_duplicate, today, chosen_beneficiary_id
                )
            beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
            age = check_birth_date(beneficiary.birth_date, today)
            publics = publics_for_age(publics, age)
            if beneficiary.referrals.pending().exists():
                raise AlreadyPending()
            ensure_may_receive_checkbook(beneficiary, actor.programme, today)
            referral = Referral.objects.create(
                programme=actor.programme,
                beneficiary=beneficiary,
                organisation=actor.organisation,
                created_by=actor.user,
                publics=publics,
                needs=needs,
                comment=comment,
                tier=tier_of(publics),
            )
            if created:
                record(actor, beneficiary, Action.CREATED)
            record(
                actor,
                referral,
                Action.CREATED,
                after=ReferralStatus.PENDING,
                data={
                    "declared_publics": declared,
                    "publics": publics,
                    "needs": needs,
                    "tier": referral.tier,
                },
            )
    except IntegrityError as exc:
        # a concurrent referral of the same person won (the partial unique constraint)
        if beneficiary is not None and beneficiary.referrals.pending().exists():
            raise AlreadyPending() from exc
        raise
    return referral


def _lock_pending(referral) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.PENDING:
        state = referral.get_status_display().lower()
        raise NotPending(f"Cette orientation n'est plus en attente : elle est « {state} ».")
    return referral


def _decide(referral, actor, status, reason="") -> None:
    referral.status = status
    referral.decided_at = timezone.now()
    referral.decided_by = actor.user
    referral.decision_reason = reason
    referral.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])


def prescribe(actor, referral, *, distinct_person: bool = False, today=None) -> Prescription:
    """Give the referral's person a checkbook: the Département only, budget and stock allowing.

    When another organisation recorded a person of the same identity who holds a running
    checkbook, the prescription is refused unless the Département confirms that they are two
    different people (``distinct_person``), which the journal keeps."""
    ensure_can(actor, Capability.PRESCRIBE, programme=referral.programme)
    today = today or timezone.localdate()
    with transaction.atomic():
        programme = lock_programme(referral.programme)
        if not programme.starts_on <= today <= programme.ends_on:
            raise ProgrammeClosed(
                f"Le programme court du {programme.starts_on:%d/%m/%Y} au "
                f"{programme.ends_on:%d/%m/%Y} : aucune prescription n'est possible le "
                f"{today:%d/%m/%Y}."
            )
        referral = _lock_pending(referral)
        beneficiary = Beneficiary.objects.select_for_update().get(pk=referral.beneficiary_id)
        ensure_may_receive_checkbook(beneficiary, programme, today)
        if not distinct_person:
            ensure_no_checkbook_elsewhere(beneficiary, programme, today)
        checkbook = assign_checkbook(actor, programme, beneficiary, today=today)
        _decide(referral, actor, ReferralStatus.PRESCRIBED)
        prescription = Prescription.objects.create(
            programme=programme,
            referral=referral,
            checkbook=checkbook,
            prescribed_by=actor.user,
            organisation=actor.organisation,
        )
        record(
            actor,
            referral,
            Action.PRESCRIBED,
            before=ReferralStatus.PENDING,
            after=ReferralStatus.PRESCRIBED,
            data={"distinct_person_confirmed": True} if distinct_person else None,
        )
        record(
            actor,
            prescription,
            Action.CREATED,
            data={"checkbook": checkbook.number, "expires_on": checkbook.expires_on.isoformat()},
        )
    return prescription


def reject(actor, referral, reason: str) -> Referral:
    """Refuse a referral, with the reason the referrer will read."""
    ensure_can(actor, Capability.PRESCRIBE, programme=referral.programme)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Indiquez le motif du refus.", code="reason_required", field="reason")
    if len(reason) > COMMENT_MAX:
        raise InvalidInput(
            f"Le motif dépasse {COMMENT_MAX} caractères.", code="invalid_input", field="reason"
        )
    with transaction.atomic():
        referral = _lock_pending(referral)
        _decide(referral, actor, ReferralStatus.REJECTED, reason)
        record(
            actor,
            referral,
            Action.REJECTED,
            before=ReferralStatus.PENDING,
            after=ReferralStatus.REJECTED,
            reason=reason,
        )
    return referral


def withdraw(actor, referral, reason: str = "") -> Referral:
    """The organisation that made a pending referral takes it back."""
    ensure_can(actor, Capability.REFER, programme=referral.programme)
    if referral.organisation_id != actor.organisation.pk:
        raise NotAllowed("Seule la structure qui a fait l'orientation peut la retirer.")
    reason = (reason or "").strip()
    with transaction.atomic():
        referral = _lock_pending(referral)
        _decide(referral, actor, ReferralStatus.WITHDRAWN, reason)
        record(
            actor,
            referral,
            Action.WITHDRAWN,
            before=ReferralStatus.PENDING,
            after=ReferralStatus.WITHDRAWN,
            reason=reason,
        )
    return referral


def remind(actor, referral, *, today=None) -> Reminder:
    """Remind the person of a referral to use the passes of its checkbook (« Relancer »):
    an email queued in the outbox when their address is known, else a letter for the actor's
    organisation to print. Journaled on the checkbook. A referrer reminds only its own
    organisation's people (``NotFound`` otherwise, as if the referral did not exist).

    Refused (``NothingToRemind``) when the checkbook has no pass usable for a session any
    more (all used, cancelled or past the end), or when there is no checkbook; refused
    (``AlreadyRemindedToday``) when the person was already reminded today for it (once a day,
    a database constraint too)."""
    ensure_can(actor, Capability.FOLLOW_UP, programme=referral.programme)
    if (
        not can(actor, Capability.VIEW_ALL_REFERRALS)
        and referral.organisation_id != actor.organisation.pk
    ):
        raise NotFound("Orientation introuvable.")
    today = today or timezone.localdate()
    prescription = Prescription.objects.filter(referral=referral).first()
    if prescription is None:
        raise NothingToRemind("Cette orientation n'a pas de chéquier : il n'y a rien à rappeler.")
    try:
        with transaction.atomic():
            checkbook = (
                Checkbook.objects.select_for_update(of=("self",))
                .select_related("beneficiary__commune", "programme")
                .get(pk=prescription.checkbook_id)
            )
            passes_left = checkbook.passes.filter(usable_for_new_session_q(today)).count()
            if not passes_left:
                raise NothingToRemind
            reminded = Reminder.objects.filter(
                checkbook=checkbook, recipient=ReminderRecipient.BENEFICIARY, due_on=today
            )
            if reminded.exists():
                raise AlreadyRemindedToday
            reminder = Reminder.objects.create(
                checkbook=checkbook,
                recipient=ReminderRecipient.BENEFICIARY,
                origin=ReminderOrigin.MANUAL,
                channel=ReminderChannel.EMAIL
                if checkbook.beneficiary.email
                else ReminderChannel.LETTER,
                due_on=today,
                created_by=actor.user,
                organisation=actor.organisation,
                message=_queue_follow_up(actor, checkbook, passes_left),
            )
            journal_reminder(actor, reminder)
    except IntegrityError:
        # A reminder of the same day committed meanwhile (reminder_once_a_day).
        raise AlreadyRemindedToday from None
    reminder.passes_left = passes_left
    return reminder


def _queue_follow_up(actor, checkbook, passes_left: int):
    """The reminder email to the person, queued (sent by ``passnum worker``), or None without
    an address."""
    address = checkbook.beneficiary.email
    if not address:
        return None
    subject, body = follow_up_message(checkbook, passes_left, actor.organisation)
    return queue_email(
        kind=EmailKind.REMINDER_FOLLOW_UP,
        recipient=address,
        subject=subject,
        body=body,
        programme=checkbook.programme,
    )
