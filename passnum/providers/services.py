"""Providers: the accreditation workflow, the bank details and the places.

Each change runs in one transaction. A status change locks the ``Accreditation`` row and adds
an ``AccreditationEvent`` (before, after, who, why): that history is the accreditation's journal.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from schwifty import BIC, IBAN
from schwifty import exceptions as schwifty_errors

from passnum.common.exceptions import InvalidInput, NotFound
from passnum.organisations.enums import OrganisationKind
from passnum.organisations.permissions import Capability, ensure_can
from passnum.referential.enums import Public, Service

from .exceptions import IncompleteProfile, InvalidBankDetails, InvalidTransition, NotAProvider
from .models import (
    Accreditation,
    AccreditationEvent,
    AccreditationStatus,
    BankDetails,
    Place,
    PlaceAccess,
    SupportMode,
)

Status = AccreditationStatus

REASON_MAX = 2000
OPENING_HOURS_MAX = 500

# The operator's decisions: (from, to). Submitting (draft or changes requested → submitted) is
# the provider's own step.
DECISIONS = frozenset(
    {
        (Status.SUBMITTED, Status.ACCREDITED),
        (Status.SUBMITTED, Status.REFUSED),
        (Status.SUBMITTED, Status.CHANGES_REQUESTED),
        (Status.ACCREDITED, Status.SUSPENDED),
        (Status.SUSPENDED, Status.ACCREDITED),
    }
)
DECISION_TARGETS = (
    Status.ACCREDITED,
    Status.CHANGES_REQUESTED,
    Status.REFUSED,
    Status.SUSPENDED,
)
REASON_REQUIRED = frozenset({Status.REFUSED, Status.CHANGES_REQUESTED, Status.SUSPENDED})
SUBMITTABLE = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})

# schwifty's errors, said in French.
IBAN_ERRORS = {
    schwifty_errors.InvalidChecksumDigits: "la clé de contrôle ne correspond pas",
    schwifty_errors.InvalidBBANChecksum: "la clé RIB ne correspond pas",
    schwifty_errors.InvalidLength: "la longueur ne correspond pas à celle du pays",
    schwifty_errors.InvalidCountryCode: "le code pays est inconnu",
    schwifty_errors.InvalidStructure: "le format ne correspond pas à celui du pays",
    schwifty_errors.InvalidBankCode: "le code banque n'est pas valide",
    schwifty_errors.InvalidBranchCode: "le code guichet n'est pas valide",
    schwifty_errors.InvalidAccountCode: "le numéro de compte n'est pas valide",
}
BIC_ERRORS = {
    schwifty_errors.InvalidLength: "il doit compter 8 ou 11 caractères",
    schwifty_errors.InvalidCountryCode: "le code pays est inconnu",
    schwifty_errors.InvalidStructure: "le format n'est pas celui d'un BIC",
}
PHONE_RE = re.compile(r"^\+?[0-9 .()-]{6,20}$")


def _explain(exc: Exception, messages: dict) -> str:
    for kind, text in messages.items():
        if isinstance(exc, kind):
            return text
    return "le format n'est pas valide"


# Accreditation


def ensure_provider(organisation) -> None:
    if organisation.kind != OrganisationKind.PROVIDER:
        raise NotAProvider(
            f"« {organisation.name} » n'est pas une structure de médiation numérique : "
            "seules celles-ci peuvent être habilitées."
        )


def _lock_accreditation(organisation) -> Accreditation:
    """The organisation's accreditation, created as a draft when it has none, locked."""
    Accreditation.objects.get_or_create(organisation=organisation)
    return Accreditation.objects.select_for_update().get(organisation=organisation)


def _move(actor, accreditation, after, reason="") -> AccreditationEvent:
    before = accreditation.status
    accreditation.status = after
    accreditation.save(update_fields=["status", "updated_at"])
    return AccreditationEvent.objects.create(
        accreditation=accreditation, user=actor.user, before=before, after=after, reason=reason
    )


def _label(status) -> str:
    return Status(status).label.lower()


def missing_for_submission(organisation) -> list[str]:
    """What the provider must still give before asking for accreditation."""
    missing = []
    if not Place.objects.filter(organisation=organisation).exists():
        missing.append("au moins un lieu")
    if not BankDetails.objects.filter(organisation=organisation).exists():
        missing.append("les coordonnées bancaires")
    return missing


def submit_accreditation(actor) -> Accreditation:
    """The provider asks for accreditation (from a draft or after changes were requested)."""
    ensure_can(actor, Capability.DECLARE_OFFER)
    organisation = actor.organisation
    ensure_provider(organisation)
    with transaction.atomic():
        accreditation = _lock_accreditation(organisation)
        if accreditation.status not in SUBMITTABLE:
            raise InvalidTransition(
                f"L'habilitation est « {_label(accreditation.status)} » : la demande ne peut "
                "être envoyée que depuis un brouillon ou après une demande de compléments."
            )
        missing = missing_for_submission(organisation)
        if missing:
            raise IncompleteProfile(
                f"Avant d'envoyer la demande d'habilitation, ajoutez {' et '.join(missing)}."
            )
        _move(actor, accreditation, Status.SUBMITTED)
    return accreditation


def decide_accreditation(actor, organisation, decision, reason: str = "") -> Accreditation:
    """The operator accredits, refuses, asks for changes, suspends or reinstates a provider."""
    ensure_can(actor, Capability.ACCREDIT_PROVIDERS, programme=organisation.programme)
    ensure_provider(organisation)
    if decision not in DECISION_TARGETS:
        raise InvalidInput(
            "Choisissez une décision : habiliter, demander des compléments, refuser ou suspendre.",
            code="invalid_input",
            field="decision",
        )
    decision = Status(decision)
    reason = (reason or "").strip()
    if decision in REASON_REQUIRED and not reason:
        raise InvalidInput(
            f"Indiquez le motif de la décision « {decision.label.lower()} » : la structure le "
            "lira.",
            code="reason_required",
            field="reason",
        )
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            f"Le motif dépasse {REASON_MAX} caractères.", code="invalid_input", field="reason"
        )
    with transaction.atomic():
        accreditation = _lock_accreditation(organisation)
        if (accreditation.status, decision) not in DECISIONS:
            raise InvalidTransition(
                f"L'habilitation est « {_label(accreditation.status)} » : elle ne peut pas "
                f"passer à « {decision.label.lower()} »."
            )
        _move(actor, accreditation, decision, reason)
    return accreditation


# Bank details


def clean_iban(value: str) -> str:
    if not (value or "").strip():
        raise InvalidBankDetails("Indiquez l'IBAN du compte.", field="iban")
    try:
        return IBAN(value or "").compact
    except schwifty_errors.SchwiftyException as exc:
        raise InvalidBankDetails(
            f"IBAN invalide : {_explain(exc, IBAN_ERRORS)}.", field="iban"
        ) from exc


def clean_bic(value: str, iban_country: str) -> str:
    if not (value or "").strip():
        raise InvalidBankDetails("Indiquez le BIC de la banque.", field="bic")
    try:
        bic = BIC(value or "")
    except schwifty_errors.SchwiftyException as exc:
        raise InvalidBankDetails(
            f"BIC invalide : {_explain(exc, BIC_ERRORS)}.", field="bic"
        ) from exc
    if bic.country_code != iban_country:
        raise InvalidBankDetails(
            f"BIC invalide : il désigne une banque du pays {bic.country_code}, l'IBAN un "
            f"compte du pays {iban_country}.",
            field="bic",
        )
    return bic.compact


def save_bank_details(actor, *, account_holder: str, iban: str, bic: str) -> BankDetails:
    """Where the provider is paid: the IBAN and BIC checked, stored compact and upper-case.

    Changing them keeps the accreditation: the operator sees them on the provider's page and
    they are checked again when a statement is paid.
    """
    ensure_can(actor, Capability.DECLARE_OFFER)
    ensure_provider(actor.organisation)
    holder = " ".join((account_holder or "").split())
    if not holder:
        raise InvalidBankDetails("Indiquez le titulaire du compte.", field="account_holder")
    if len(holder) > 70:
        raise InvalidBankDetails(
            "Le titulaire du compte dépasse 70 caractères (limite des virements SEPA).",
            field="account_holder",
        )
    iban = clean_iban(iban)
    bic = clean_bic(bic, iban[:2])
    with transaction.atomic():
        details, _ = BankDetails.objects.select_for_update().update_or_create(
            organisation=actor.organisation,
            defaults={"account_holder": holder, "iban": iban, "bic": bic},
        )
    return details


# Places

PLACE_FIELDS = frozenset(
    {
        "name",
        "address",
        "commune",
        "latitude",
        "longitude",
        "services",
        "publics",
        "opening_hours",
        "is_itinerant",
        "access_modes",
        "support_modes",
        "phone",
        "email",
    }
)


def _codes(values, enum, field: str, message: str) -> list[str]:
    values = list(dict.fromkeys(values or []))
    unknown = [str(v) for v in values if v not in enum.values]
    if unknown:
        raise InvalidInput(f"{message} : {', '.join(unknown)}.", code="invalid_input", field=field)
    return [v for v in enum.values if v in values]  # the vocabulary's order


def _text(value, field: str, label: str, limit: int, *, required=False) -> str:
    value = " ".join(str(value or "").split()) if field != "opening_hours" else (value or "")
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"Indiquez {label}.", code="invalid_input", field=field)
    if len(value) > limit:
        raise InvalidInput(
            f"Le champ « {label} » dépasse {limit} caractères.", code="invalid_input", field=field
        )
    return value


def _coordinate(value, field: str, label: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not -bound <= number <= bound:
        raise InvalidInput(
            f"La {label} doit être un nombre entre -{bound} et {bound}.",
            code="invalid_input",
            field=field,
        )
    return number.quantize(Decimal("0.00001"))


def clean_place_fields(programme, fields: dict) -> dict:
    unknown = set(fields) - PLACE_FIELDS
    if unknown:
        raise TypeError(f"unknown place fields: {sorted(unknown)}")
    commune = fields.get("commune")
    if commune is None:
        raise InvalidInput("Indiquez la commune du lieu.", code="invalid_input", field="commune")
    if commune.department_code != programme.territory_code:
        raise InvalidInput(
            f"La commune doit être dans le territoire du programme (département "
            f"{programme.territory_code}).",
            code="invalid_input",
            field="commune",
        )
    latitude = _coordinate(fields.get("latitude"), "latitude", "latitude", 90)
    longitude = _coordinate(fields.get("longitude"), "longitude", "longitude", 180)
    if (latitude is None) != (longitude is None):
        raise InvalidInput(
            "Indiquez la latitude et la longitude, ou aucune des deux (celles de la commune "
            "sont alors reprises).",
            code="invalid_input",
            field="latitude" if latitude is None else "longitude",
        )
    if latitude is None:
        latitude, longitude = commune.latitude, commune.longitude
    services = _codes(fields.get("services"), Service, "services", "Service(s) inconnu(s)")
    if not services:
        raise InvalidInput(
            "Indiquez au moins un service proposé dans ce lieu.",
            code="invalid_input",
            field="services",
        )
    email = _text(fields.get("email"), "email", "le courriel", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise InvalidInput(
                "Le courriel n'est pas valide.", code="invalid_input", field="email"
            ) from exc
    phone = _text(fields.get("phone"), "phone", "le téléphone", 20)
    if phone and not PHONE_RE.match(phone):
        raise InvalidInput(
            "Le téléphone n'est pas valide (ex. 04 66 00 00 00).",
            code="invalid_input",
            field="phone",
        )
    return {
        "name": _text(fields.get("name"), "name", "le nom du lieu", 200, required=True),
        "address": _text(fields.get("address"), "address", "l'adresse", 250),
        "commune": commune,
        "latitude": latitude,
        "longitude": longitude,
        "services": services,
        "publics": _codes(fields.get("publics"), Public, "publics", "Public(s) inconnu(s)"),
        "opening_hours": _text(
            fields.get("opening_hours"), "opening_hours", "les horaires", OPENING_HOURS_MAX
        ),
        "is_itinerant": bool(fields.get("is_itinerant")),
        "access_modes": _codes(
            fields.get("access_modes"),
            PlaceAccess,
            "access_modes",
            "Modalité(s) d'accès inconnue(s)",
        ),
        "support_modes": _codes(
            fields.get("support_modes"),
            SupportMode,
            "support_modes",
            "Modalité(s) d'accompagnement inconnue(s)",
        ),
        "phone": phone,
        "email": email,
    }


def save_place(actor, place: Place | None = None, **fields) -> Place:
    """Add a place to the provider, or change one of its own places.

    The accreditation is kept: a new place of an accredited provider is at once shown to people.
    """
    ensure_can(actor, Capability.DECLARE_OFFER)
    organisation = actor.organisation
    ensure_provider(organisation)
    if place is not None and place.organisation_id != organisation.pk:
        raise NotFound("Lieu introuvable.")
    values = clean_place_fields(actor.programme, fields)
    same_name = Place.objects.filter(organisation=organisation, name__iexact=values["name"])
    if place is not None:
        same_name = same_name.exclude(pk=place.pk)
    duplicate = InvalidInput(
        f"Votre structure a déjà un lieu nommé « {values['name']} ».",
        code="invalid_input",
        field="name",
    )
    if same_name.exists():
        raise duplicate
    try:
        with transaction.atomic():
            if place is None:
                place = Place.objects.create(organisation=organisation, **values)
            else:
                place = Place.objects.select_for_update().get(pk=place.pk)
                for name, value in values.items():
                    setattr(place, name, value)
                place.save()
    except IntegrityError as exc:  # a concurrent save of the same name
        raise duplicate from exc
    return place
