"""Redemption (encaissement): a provider records a session and the passes its participants gave.

All or nothing: every code is checked, under row locks, and one bad pass refuses the whole
request without changing anything; the refusal names every bad pass and why. A partial unique
constraint (one live redemption per pass) backs the locks.
"""

import datetime
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from passnum.common import sql
from passnum.common.exceptions import InvalidInput, NotAllowed, NotFound
from passnum.journal.enums import Action
from passnum.journal.services import journal_entry, record
from passnum.organisations.permissions import Capability, ensure_can
from passnum.passes import codes, keys, transitions
from passnum.passes.enums import PassStatus
from passnum.passes.lookup import CODE_FAILURES, limits_for
from passnum.passes.models import Pass
from passnum.paths.models import Path
from passnum.providers.models import AccreditationStatus, Place
from passnum.providers.selectors import accreditation_status_as_loaded
from passnum.referential.enums import Service

from .exceptions import (
    AlreadyUndone,
    DateInFuture,
    InStatement,
    NotAccredited,
    RedemptionRefused,
    UndoTooLate,
    refusal,
)
from .models import PlaceType, Redemption, Session, SessionKind

MIN_DURATION_MINUTES = 60
MAX_DURATION_MINUTES = 8 * 60
MAX_CODES = 50
UNDO_WINDOW = datetime.timedelta(hours=48)
REASON_MAX = 2000
SERVICES = tuple(Service.values)  # in the referential's order


def ensure_may_redeem(actor) -> None:
    """Providers only (403), and only while accredited (403 ``not_accredited``).

    The accreditation is the one loaded with the actor at the start of the request (the token
    and session queries bring it along): a suspension applies to the requests that start after
    it, and the check costs no query.
    """
    ensure_can(actor, Capability.REDEEM)
    status = accreditation_status_as_loaded(actor.organisation)
    if status == AccreditationStatus.ACCREDITED:
        return
    if status == AccreditationStatus.SUSPENDED:
        raise NotAccredited(
            "L'habilitation de votre structure est suspendue : elle ne peut pas encaisser de "
            "pass. Contactez le pilote du programme."
        )
    raise NotAccredited(
        "Votre structure n'est pas encore habilitée : elle pourra encaisser des pass quand le "
        "pilote du programme aura accordé son habilitation."
    )


def _pk(value):
    return getattr(value, "pk", value)


def _clean_services(services) -> list[str]:
    chosen = list(dict.fromkeys(services or []))
    unknown = [s for s in chosen if s not in SERVICES]
    if unknown:
        raise InvalidInput(
            f"Service(s) inconnu(s) : {', '.join(map(str, unknown))}.",
            code="invalid_input",
            field="services",
        )
    return chosen


def _clean_session(
    actor, *, date, duration_minutes, services, path, place, place_type, kind, today
):
    """The session's fields, checked; ``(services, path, place)``."""
    if date > today:
        raise DateInFuture(
            f"La date de la séance ({date:%d/%m/%Y}) ne peut pas être dans le futur.",
            field="date",
        )
    if not MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES:
        raise InvalidInput(
            "La durée de la séance doit être comprise entre 1 heure et 8 heures.",
            code="invalid_duration",
            field="duration_minutes",
        )
    if place_type not in PlaceType.values:
        raise InvalidInput(
            "Ce lieu de séance n'existe pas.", code="invalid_input", field="place_type"
        )
    if kind not in SessionKind.values:
        raise InvalidInput("Ce type de séance n'existe pas.", code="invalid_input", field="kind")
    services = _clean_services(services)
    if path is not None:
        path = Path.objects.filter(pk=_pk(path), programme=actor.programme).first()
        if path is None:
            raise NotFound("Parcours introuvable.", field="path")
        if not path.is_active:
            raise InvalidInput(
                f"Le parcours « {path.name} » n'est plus proposé.",
                code="path_inactive",
                field="path",
            )
        services = [*path.services, *(s for s in services if s not in path.services)]
    if not services:
        raise InvalidInput(
            "Indiquez le parcours suivi ou au moins un service abordé pendant la séance.",
            code="services_required",
            field="services",
        )
    if place is not None:
        place = Place.objects.filter(pk=_pk(place), organisation=actor.organisation).first()
        if place is None:
            raise NotFound("Lieu introuvable parmi ceux de votre structure.", field="place")
    ordered = [s for s in SERVICES if s in services]
    return ordered, path, place


def _read_codes(texts) -> tuple[dict[int, str], dict[int, dict]]:
    """Normalised codes by position, and the refusals found without any lookup."""
    texts = list(texts or [])
    if not texts:
        raise InvalidInput(
            "Saisissez au moins un code de pass.", code="codes_required", field="codes"
        )
    if len(texts) > MAX_CODES:
        raise InvalidInput(
            f"Saisissez au plus {MAX_CODES} codes de pass par séance.",
            code="too_many_codes",
            field="codes",
        )
    found, bad, seen = {}, {}, set()
    for index, text in enumerate(texts):
        try:
            code = codes.normalise(text)
        except codes.MalformedCode:
            bad[index] = refusal(str(text), "malformed_code")
            continue
        if code in seen:
            bad[index] = refusal(str(text), "duplicate_code")
            continue
        seen.add(code)
        found[index] = code
    return found, bad


def _check_pass(pass_, date, today, grace_days) -> tuple[str, str] | None:
    """Why this locked pass cannot be redeemed for a session on ``date``: (reason, detail)."""
    status = transitions.status_on(pass_, today, grace_days)
    if status in (PassStatus.REDEEMED, PassStatus.REIMBURSED):
        return "already_redeemed", pass_.serial
    if status == PassStatus.CANCELLED:
        return "cancelled", pass_.serial
    if status == PassStatus.AVAILABLE:
        return "not_assigned", pass_.serial
    if status == PassStatus.EXPIRED:
        return "expired", f"{pass_.serial}, valable jusqu'au {pass_.expires_on:%d/%m/%Y}"
    if date < pass_.issued_on:
        return "before_prescription", f"{pass_.serial}, remis le {pass_.issued_on:%d/%m/%Y}"
    if date > pass_.expires_on:
        return "after_end_date", f"{pass_.serial}, valable jusqu'au {pass_.expires_on:%d/%m/%Y}"
    return None


def redeem(
    actor,
    *,
    codes,
    date,
    duration_minutes,
    services=(),
    path=None,
    place=None,
    place_type=PlaceType.OWN_SITE,
    kind=SessionKind.INDIVIDUAL,
    today=None,
) -> Session:
    """Record a session and redeem the passes given for it, all or nothing.

    ``codes`` are the codes as typed. ``path`` and ``place`` are objects or ids. The session
    returned carries ``redeemed_passes`` (the passes, in the order typed).
    """
    ensure_may_redeem(actor)
    today = today or timezone.localdate()
    services, path, place = _clean_session(
        actor,
        date=date,
        duration_minutes=duration_minutes,
        services=services,
        path=path,
        place=place,
        place_type=place_type,
        kind=kind,
        today=today,
    )
    texts = [str(t) for t in codes or []]
    found, bad = _read_codes(texts)
    digests = {keys.digest(code): index for index, code in found.items()}
    try:
        return _redeem_locked(
            actor,
            texts=texts,
            digests=digests,
            bad=bad,
            fields={
                "date": date,
                "duration_minutes": duration_minutes,
                "services": services,
                "path": path,
                "place": place,
                "place_type": place_type,
                "kind": kind,
            },
            today=today,
        )
    except RedemptionRefused as exc:
        _throttle_refusal(actor, exc)
        raise


def _throttle_refusal(actor, refusal: RedemptionRefused) -> None:
    """A refusal says which codes exist and what became of them: once the member or the
    organisation is over its limit of failed codes (malformed or unknown, counted here, outside
    the rolled-back transaction), it gets ``TooManyLookups`` instead, which says nothing.

    An accepted redemption reveals nothing a guesser could use and is journaled under the
    provider's name: it is not throttled, so a member who mistyped many codes can still redeem
    the good ones. This also spares every redemption a query.
    """
    limits = limits_for(actor)
    failures = sum(
        1
        for p in refusal.extra.get("passes", [])
        if p["reason"] in ("malformed_code", "unknown_code")
    )
    if failures:
        CODE_FAILURES.count(limits, failures, cause=refusal)
    else:
        CODE_FAILURES.check(limits, cause=refusal)


def _redeem_locked(actor, *, texts, digests, bad, fields, today) -> Session:
    date, duration = fields["date"], fields["duration_minutes"]
    grace_days = actor.programme.redemption_grace_days
    pass_ids = {}  # position → pk of a pass of the actor's programme
    try:
        with transaction.atomic():
            found, session_pk = _lock_passes(actor.programme, list(digests))
            locked = {p.pk: p for p in found}
            for pass_ in locked.values():
                pass_ids[digests[pass_.code_digest]] = pass_.pk
            for index in digests.values():
                if index not in pass_ids:
                    bad[index] = refusal(texts[index], "unknown_code")
            good = {}  # position → pass
            for index, pk in pass_ids.items():
                pass_ = locked[pk]
                problem = _check_pass(pass_, date, today, grace_days)
                if problem:
                    bad[index] = refusal(texts[index], *problem)
                else:
                    good[index] = pass_
            _check_hours(good, bad, texts, duration)
            if bad:
                raise RedemptionRefused.of([bad[i] for i in sorted(bad)])
            passes = [good[i] for i in sorted(good)]
            return _record(actor, passes, fields, session_pk)
    except IntegrityError as exc:
        # A concurrent request redeemed one of these passes first (the partial unique
        # constraint): refuse those passes, as the locks would have.
        live = set(
            Redemption.objects.filter(
                pass_obj__in=list(pass_ids.values()), undone_at__isnull=True
            ).values_list("pass_obj_id", flat=True)
        )
        taken = [
            refusal(texts[i], "already_redeemed")
            for i, pk in sorted(pass_ids.items())
            if pk in live
        ]
        if not taken:
            raise
        raise RedemptionRefused.of(taken) from exc


def _lock_passes(programme, digests) -> tuple[list[Pass], int | None]:
    """The programme's passes with these code digests, each with its checkbook's
    ``issued_on``, locked (PostgreSQL: ``FOR UPDATE``; SQLite locks the whole base for the
    transaction) in primary-key order, so that two requests sharing passes cannot deadlock.
    Another programme's pass is not found. One query, written out: it is the hottest of the API
    (see ``passnum.common.sql``).

    On PostgreSQL, the same query reserves the key of the session to come (``nextval``, once),
    so that all the writes go in one round trip; elsewhere the key is ``None``."""
    if not digests:
        return [], None
    postgresql = connection.vendor == "postgresql"
    reserve = (
        ", (SELECT nextval(pg_get_serial_sequence('redemptions_session', 'id')))"
        if postgresql
        else ""
    )
    lock = " FOR UPDATE OF p" if postgresql else ""
    marks = ", ".join(["%s"] * len(digests))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(f'p.{name}' for name in LOCKED_FIELDS)}, c.issued_on{reserve} "
            "FROM passes_pass p LEFT JOIN passes_checkbook c ON c.id = p.checkbook_id "
            f"WHERE p.programme_id = %s AND p.code_digest IN ({marks}) ORDER BY p.id{lock}",
            [programme.pk, *digests],
        )
        rows = cursor.fetchall()
    passes, session_pk = [], None
    width = len(LOCKED_FIELDS)
    for row in rows:
        pass_ = Pass.from_db(connection.alias, LOCKED_FIELDS, row[:width])
        pass_.issued_on = row[width]
        if postgresql:
            session_pk = row[width + 1]
        passes.append(pass_)
    return passes, session_pk


# What a redemption reads of a pass, in the model's order (``Model.from_db``); the other
# fields are deferred.
LOCKED_FIELDS = tuple(
    f.attname
    for f in Pass._meta.concrete_fields
    if f.attname
    in {
        "id",
        "programme_id",
        "serial",
        "code_digest",
        "status",
        "expires_on",
        "value_cents",
        "checkbook_id",
    }
)


def _check_hours(good: dict, bad: dict, texts, duration_minutes: int) -> None:
    """One pass per hour per person: a checkbook is one person."""
    allowed = duration_minutes // 60
    by_checkbook = defaultdict(list)
    for index, pass_ in good.items():
        by_checkbook[pass_.checkbook_id].append(index)
    for indexes in by_checkbook.values():
        if len(indexes) <= allowed:
            continue
        serials = ", ".join(good[i].serial for i in sorted(indexes))
        detail = (
            f"{len(indexes)} pass du même chéquier ({serials}) pour une séance de "
            f"{allowed} h : {allowed} au plus"
        )
        for index in indexes:
            bad[index] = refusal(texts[index], "too_many_passes", detail)
            del good[index]


def _record(actor, passes, fields, session_pk=None) -> Session:
    """Write the session, its redemptions, the passes' new status and the journal: four
    statements (``passnum.common.sql``) in one round trip when the session's key was reserved
    (PostgreSQL), else the session first, for this hottest path of the API."""
    now = timezone.now()
    session = Session(
        pk=session_pk,
        programme=actor.programme,
        organisation=actor.organisation,
        created_by=actor.user,
        **fields,
    )
    statements = []
    if session_pk is None:
        sql.insert_returning_pk(session)
    else:
        statements.append(sql.insert_statement([session]))
    redemptions = [
        Redemption(programme_id=session.programme_id, session_id=session.pk, pass_obj_id=p.pk)
        for p in passes
    ]
    # The move of each pass (its status and journal entry), through the state machine.
    update, entries = transitions.redeem_in_sql(
        actor, passes, now=now, data={"session": session.pk}
    )
    session_entry = journal_entry(
        actor,
        session,
        Action.CREATED,
        data={
            "date": session.date.isoformat(),
            "duration_minutes": session.duration_minutes,
            "services": session.services,
            "path": session.path_id,
            "place": session.place_id,
            "passes": [p.serial for p in passes],
            "amount_cents": sum(p.value_cents for p in passes),
        },
    )
    sql.execute(
        [
            *statements,
            sql.insert_statement(redemptions),
            update,
            # One insert for the whole journal of the redemption: each pass, then the session.
            sql.insert_statement([*entries, session_entry]),
        ]
    )
    session.redeemed_passes = passes
    return session


def undo_deadline(session) -> datetime.datetime:
    return session.created_at + UNDO_WINDOW


def undo_session(actor, session, reason: str, *, now=None, today=None) -> Session:
    """The provider that declared a session takes it back within 48 hours, while none of its
    passes is in a statement: the passes become usable again."""
    ensure_can(actor, Capability.REDEEM, programme=session.programme)
    if session.organisation_id != actor.organisation.pk:
        raise NotAllowed("Seule la structure qui a déclaré la séance peut l'annuler.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "Indiquez le motif de l'annulation.", code="reason_required", field="reason"
        )
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            f"Le motif dépasse {REASON_MAX} caractères.", code="invalid_input", field="reason"
        )
    now = now or timezone.now()
    with transaction.atomic():
        session = (
            Session.objects.select_for_update().select_related("programme").get(pk=session.pk)
        )
        if session.undone_at is not None:
            raise AlreadyUndone()
        if now > undo_deadline(session):
            raise UndoTooLate(
                "Une séance ne peut être annulée que dans les 48 heures qui suivent sa "
                f"déclaration (le {session.created_at:%d/%m/%Y à %H:%M}) : contactez le pilote "
                "du programme."
            )
        redemptions = list(
            Redemption.objects.select_for_update().filter(session=session).order_by("pk")
        )
        if any(r.statement_id for r in redemptions):
            raise InStatement()
        passes = list(
            Pass.objects.select_for_update()
            .filter(pk__in=[r.pass_obj_id for r in redemptions])
            .order_by("pk")
        )
        not_redeemed = [p.serial for p in passes if p.status != PassStatus.REDEEMED]
        if not_redeemed:  # the database says otherwise than the session: touch nothing
            raise InStatement(
                "Ces pass ne sont plus à l'état encaissé : " + ", ".join(not_redeemed) + "."
            )
        Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).update(undone_at=now)
        # A pass past its end date and the grace cannot be used again: it expires (its
        # commitment goes back to the budget) rather than coming back as usable.
        transitions.undo_redemptions(
            actor,
            passes,
            today=today or timezone.localdate(now),
            grace_days=session.programme.redemption_grace_days,
            reason=reason,
            data={"session": session.pk},
            now=now,
        )
        session.undone_at = now
        session.undone_by = actor.user
        session.save(update_fields=["undone_at", "undone_by"])
        record(
            actor,
            session,
            Action.UNDONE,
            reason=reason,
            data={"passes": [p.serial for p in passes]},
        )
    return session
