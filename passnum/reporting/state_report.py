"""The report for the State co-funder (« Bilan pour l'État »): one calendar year of the programme,
or the whole programme (the final report).

Every figure comes from ``indicators.indicators_for_programme`` for the report's period: this
module only chooses, orders and names them, in sections of rows (``StateReport``) that the
renderers (``report_documents``: PDF and XLSX) and the page lay out as they are.

The period of a year is the calendar year, from the programme's first day when it starts during
that year; the year still running ends on the day of edition. It is not cut at the programme's
end: passes prescribed in its last months stay valid after it, and their uses count in the year
they happen within the programme's last calendar year. Uses later than that appear in the final
report only. The final report covers the whole ledger.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from passnum.common.exceptions import InvalidInput
from passnum.common.formats import euros_with_cents, percent
from passnum.organisations.permissions import Capability, ensure_can
from passnum.passes.enums import IN_LEDGER, PassStatus
from passnum.referential.enums import PIC_PUBLICS, Public

from .indicators import OUTSIDE_PRIORITY, PIC_TARGET, Indicators, indicators_for_programme
from .periods import EVERYTHING, Period

FINAL = "final"
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
PUBLIC_LABELS = {**dict(Public.choices), OUTSIDE_PRIORITY: "Hors public prioritaire"}
STATUS_LABELS = {
    PassStatus.AVAILABLE: "Disponibles (en stock)",
    PassStatus.ASSIGNED: "Attribués, pas encore utilisés",
    PassStatus.REDEEMED: "Utilisés (encaissés)",
    PassStatus.REIMBURSED: "Utilisés et remboursés",
    PassStatus.EXPIRED: "Expirés",
    PassStatus.CANCELLED: "Annulés (perdus ou volés)",
}


@dataclass(frozen=True)
class Money:
    """An amount in cents."""

    cents: int


@dataclass(frozen=True)
class Share:
    """A fraction, 0..1."""

    value: float


# A cell: a text, a count, an amount, a share, a date, or nothing (« — »).
Cell = str | int | Money | Share | datetime.date | None


@dataclass(frozen=True)
class Section:
    key: str  # short name, without spaces (the XLSX sheet's name, an anchor of the page)
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""

    @property
    def figure_columns(self) -> list[bool]:
        """Which columns hold figures (aligned right), the first (the labels) never."""
        return [
            i > 0 and any(is_figure(row[i]) for row in self.rows) for i in range(len(self.columns))
        ]


@dataclass(frozen=True)
class StateReport:
    programme_name: str
    territory_code: str
    programme_starts_on: datetime.date
    programme_ends_on: datetime.date
    year: int | None  # None: the final report
    period: Period
    edited_on: datetime.date
    sections: tuple[Section, ...]

    @property
    def is_final(self) -> bool:
        return self.year is None

    @property
    def title(self) -> str:
        return "Bilan final pour l'État" if self.is_final else f"Bilan {self.year} pour l'État"

    @property
    def period_label(self) -> str:
        if self.is_final:
            return (
                f"programme entier, du {long_date(self.programme_starts_on)} au "
                f"{long_date(self.programme_ends_on)}"
            )
        running = " (année en cours)" if datetime.date(self.year, 12, 31) > self.edited_on else ""
        return f"du {long_date(self.period.start)} au {long_date(self.period.end)}{running}"

    def filename(self, extension: str) -> str:
        which = FINAL if self.is_final else str(self.year)
        return f"bilan-etat-{self.territory_code}-{which}.{extension}"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def is_figure(cell: Cell) -> bool:
    return cell is None or (
        isinstance(cell, int | float | Money | Share | datetime.date)
        and not isinstance(cell, bool)
    )


def long_date(day: datetime.date) -> str:
    """« 1er janvier 2026 », « 31 décembre 2026 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def month_label(month: str) -> str:
    """« 2026-03 » → « mars 2026 »."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def display(cell: Cell) -> str:
    """A cell as French text (no-break spaces, decimal comma): the page and the PDF."""
    if cell is None:
        return "—"
    if isinstance(cell, Money):
        return euros_with_cents(cell.cents)
    if isinstance(cell, Share):
        return percent(cell.value)
    if isinstance(cell, bool):
        return "oui" if cell else "non"
    if isinstance(cell, int):
        return f"{cell:,}".replace(",", "\u00a0")
    if isinstance(cell, float):
        return f"{cell:.1f}".replace(".", ",")
    if isinstance(cell, datetime.date):
        return cell.strftime("%d/%m/%Y")
    return str(cell)


# Choosing the report.


def year_start(programme, year: int) -> datetime.date:
    return max(datetime.date(year, 1, 1), programme.starts_on)


def report_years(programme, today: datetime.date) -> list[int]:
    """The calendar years of the programme that have begun, the first first."""
    years = range(programme.starts_on.year, programme.ends_on.year + 1)
    return [year for year in years if year_start(programme, year) <= today]


def parse_year(programme, value, today: datetime.date) -> int | None:
    """``value`` as typed (« 2026 », « final »): a year of the programme that has begun, or
    ``None`` for the final report; anything else is refused in French (422)."""
    text = str(value or "").strip()
    years = f"{programme.starts_on.year} à {programme.ends_on.year}"
    if not text:
        raise InvalidInput(
            f"Choisissez une année du programme ({years}) ou « final ».",
            code="year_required",
            field="year",
        )
    if text.lower() == FINAL:
        return None
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise InvalidInput(
            f"« {text[:20]} » n'est ni une année (AAAA) ni « final ».",
            code="invalid_year",
            field="year",
        )
    year = int(text)
    if not programme.starts_on.year <= year <= programme.ends_on.year:
        raise InvalidInput(
            f"L'année {year} n'est pas une année du programme ({years}).",
            code="unknown_year",
            field="year",
        )
    if year_start(programme, year) > today:
        raise InvalidInput(
            f"L'année {year} n'a pas commencé : son bilan n'existe pas encore.",
            code="year_not_started",
            field="year",
        )
    return year


def period_of(programme, year: int | None, today: datetime.date) -> Period:
    if year is None:
        return EVERYTHING
    return Period(year_start(programme, year), min(datetime.date(year, 12, 31), today))


# The sections, from the indicators.


def _summary(fig: Indicators) -> Section:
    in_ledger = sum(fig.ledger_passes[s] for s in IN_LEDGER)
    return Section(
        "synthese",
        "Chiffres clés",
        ("Indicateur", "Valeur"),
        (
            ("Pass achetés, au registre à la date d'édition", in_ledger),
            ("Valeur des pass au registre", Money(fig.budget.ledger_cents)),
            ("Pass entrés au registre dans la période", fig.acquired.passes),
            ("Chéquiers prescrits", fig.checkbooks.prescribed),
            ("Pass prescrits", fig.prescribed_passes.passes),
            ("Personnes ayant reçu un chéquier", fig.people),
            ("Pass utilisés", fig.used.passes),
            ("Valeur des pass utilisés", Money(fig.used.cents)),
            ("Taux d'utilisation des pass prescrits", Share(fig.usage_rate)),
            ("Part des publics du PIC", Share(fig.pic_share)),
            ("Dépenses d'ingénierie de la période", Money(fig.engineering.spent_in_period_cents)),
        ),
        "Le détail et la définition de chaque chiffre suivent, section par section.",
    )


def _budget(fig: Indicators) -> Section:
    budget = fig.budget
    return Section(
        "budget",
        "Budget du programme",
        ("Poste", "Montant"),
        (
            ("Enveloppe", Money(budget.envelope_cents)),
            ("Part ingénierie", Money(budget.engineering_cents)),
            ("Budget des pass (enveloppe moins ingénierie)", Money(budget.pass_budget_cents)),
            ("Engagé : pass attribués, pas encore utilisés", Money(budget.committed_cents)),
            ("Consommé : pass utilisés", Money(budget.consumed_cents)),
            ("Disponible", Money(budget.available_cents)),
        ),
        "À la date d'édition, sur tout le registre des pass, quelle que soit la période.",
    )


def _stock(fig: Indicators) -> Section:
    ledger = fig.ledger_passes
    rows = [(STATUS_LABELS[s], ledger[s]) for s in IN_LEDGER]
    rows.append(("Total des pass achetés, au registre", sum(ledger[s] for s in IN_LEDGER)))
    rows += [
        (f"Hors registre : {STATUS_LABELS[s].lower()}", ledger[s])
        for s in (PassStatus.EXPIRED, PassStatus.CANCELLED)
    ]
    rows += [
        ("Entrés au registre dans la période : générés par passnum", fig.acquired.generated),
        ("Entrés au registre dans la période : importés d'un opérateur", fig.acquired.imported),
        ("Valeur des pass entrés au registre dans la période", Money(fig.acquired.cents)),
    ]
    return Section(
        "pass",
        "Pass achetés",
        ("Pass", "Nombre"),
        tuple(rows),
        "Le registre compte les pass achetés qui gardent leur place dans le budget des pass : "
        "disponibles, attribués et utilisés, à la date d'édition. Un pass expiré ou annulé "
        "libère sa place. Les pass entrés au registre dans la période sont comptés à leur date "
        "de création ; les pass émis en remplacement d'un pass perdu n'y sont pas comptés.",
    )


def _prescriptions(fig: Indicators) -> Section:
    checkbooks = fig.checkbooks
    return Section(
        "prescriptions",
        "Prescriptions",
        ("Indicateur", "Valeur"),
        (
            ("Chéquiers prescrits", checkbooks.prescribed),
            ("dont au moins un pass utilisé", checkbooks.started),
            ("dont tous les pass utilisés", checkbooks.finished),
            ("Pass prescrits", fig.prescribed_passes.passes),
            ("Valeur des pass prescrits", Money(fig.prescribed_passes.cents)),
            ("Personnes ayant reçu un chéquier", fig.people),
            ("Délai médian avant la première utilisation (jours)", fig.median_days_to_first_use),
        ),
        "Les chéquiers prescrits dans la période, à la date de leur prescription. Les pass "
        "prescrits sont ceux remis avec le chéquier (les remplacements ne sont pas comptés).",
    )


def _funnel(fig: Indicators) -> Section:
    statuses = [s for s in PassStatus.values if s != PassStatus.AVAILABLE]
    rows = [(STATUS_LABELS[s], fig.passes[s]) for s in statuses]
    rows.append(("Taux d'utilisation", Share(fig.usage_rate)))
    rows.append(
        ("Pass disponibles en stock, à la date d'édition", fig.passes[PassStatus.AVAILABLE])
    )
    return Section(
        "entonnoir",
        "Devenir des pass prescrits",
        ("État", "Pass"),
        tuple(rows),
        "Les pass des chéquiers prescrits dans la période, selon leur état à la date d'édition "
        "(remplacements compris). Taux d'utilisation : pass utilisés sur pass attribués un jour, "
        "hors annulés.",
    )


def _publics(fig: Indicators) -> Section:
    codes = [*Public.values, OUTSIDE_PRIORITY]
    return Section(
        "publics",
        "Personnes accompagnées par public",
        ("Public", "Personnes", "Chéquiers prescrits", "Public du PIC"),
        tuple(
            (
                PUBLIC_LABELS[code],
                fig.people_by_public[code],
                fig.by_public[code],
                "oui" if code in PIC_PUBLICS else "non",
            )
            for code in codes
        ),
        "Les personnes ayant reçu un chéquier dans la période. Une personne peut relever de "
        "plusieurs publics : les lignes ne s'additionnent pas.",
    )


def _pic(fig: Indicators) -> Section:
    return Section(
        "pic",
        "Part des publics du PIC",
        ("Indicateur", "Valeur"),
        (
            ("Chéquiers prescrits à des publics du PIC", fig.pic_checkbooks),
            ("Chéquiers prescrits", fig.checkbooks.prescribed),
            ("Part des publics du PIC", Share(fig.pic_share)),
            ("Objectif", Share(PIC_TARGET)),
            ("Objectif atteint", "oui" if fig.pic_target_met else "non"),
        ),
        "Publics du Plan d'investissement dans les compétences : demandeurs d'emploi sans "
        "diplôme ou de niveau inférieur au baccalauréat, jeunes sortis tôt des études.",
    )


def _communes(fig: Indicators) -> Section:
    epci_names = {e.code: e.name for e in fig.by_epci}
    return Section(
        "communes",
        "Personnes accompagnées par commune",
        (
            "Commune",
            "Code INSEE",
            "Intercommunalité",
            "Personnes",
            "Chéquiers prescrits",
            "Pass utilisés",
            "Valeur des pass utilisés",
        ),
        tuple(
            (
                c.name,
                c.insee_code,
                epci_names.get(c.epci_code, ""),
                c.people,
                c.prescribed,
                c.used.passes,
                Money(c.used.cents),
            )
            for c in fig.by_commune
        ),
        "La commune de la personne. Personnes et chéquiers : prescrits dans la période ; pass "
        "utilisés : dans la période, quelle que soit la date de leur prescription.",
    )


def _epcis(fig: Indicators) -> Section:
    return Section(
        "intercommunalites",
        "Personnes accompagnées par intercommunalité",
        (
            "Intercommunalité",
            "Personnes",
            "Chéquiers prescrits",
            "Pass utilisés",
            "Valeur des pass utilisés",
        ),
        tuple(
            (e.name, e.people, e.prescribed, e.used.passes, Money(e.used.cents))
            for e in fig.by_epci
        ),
        "Mêmes définitions que par commune.",
    )


def _funders(fig: Indicators) -> Section:
    of_programme = {share.funder.pk: share for share in fig.funders}
    rows = []
    for use in fig.funders_used:
        share = of_programme[use.funder.pk]
        rows.append(
            (
                use.funder.name,
                Share(use.funder.share_basis_points / 10_000),
                Money(use.of_used_cents),
                Money(share.of_consumed_cents),
                Money(share.of_envelope_cents),
            )
        )
    return Section(
        "financeurs",
        "Dépense par financeur",
        (
            "Financeur",
            "Part",
            "Sur les pass utilisés dans la période",
            "Sur les pass utilisés depuis le début",
            "Sur l'enveloppe",
        ),
        tuple(rows),
        "La part de chaque financeur de la valeur des pass utilisés, arrondie au centime (les "
        "centimes restants vont aux plus grands restes).",
    )


def _engineering(fig: Indicators) -> Section:
    engineering = fig.engineering
    share = engineering.share_cents
    return Section(
        "ingenierie",
        "Ingénierie",
        ("Indicateur", "Valeur"),
        (
            ("Part ingénierie du programme", Money(share)),
            ("Dépenses de la période", engineering.expenses_in_period),
            ("Montant des dépenses de la période", Money(engineering.spent_in_period_cents)),
            ("Dépensé depuis le début du programme", Money(engineering.spent_cents)),
            ("Reste de la part ingénierie", Money(engineering.left_cents)),
            (
                "Part ingénierie dépensée",
                Share(round(engineering.spent_cents / share, 4)) if share else None,
            ),
        ),
        "Les dépenses d'ingénierie enregistrées par le pilote, à leur date.",
    )


def _months(fig: Indicators) -> Section:
    return Section(
        "mois",
        "Par mois",
        ("Mois", "Chéquiers prescrits", "Pass utilisés", "Valeur des pass utilisés"),
        tuple(
            (month_label(m.month), m.prescribed, m.used.passes, Money(m.used.cents))
            for m in fig.by_month
        ),
    )


def _years(fig: Indicators) -> Section:
    return Section(
        "annees",
        "Par année du programme",
        ("Année", "Du", "Au", "Chéquiers prescrits", "Pass utilisés", "Valeur des pass utilisés"),
        tuple(
            (
                f"Année {y.number}",
                y.starts_on,
                y.ends_on,
                y.prescribed,
                y.used.passes,
                Money(y.used.cents),
            )
            for y in fig.by_year
        ),
        "Les années du programme comptées depuis son premier jour.",
    )


def assemble(programme, year: int | None, fig: Indicators) -> StateReport:
    """The report of ``year`` (``None``: final) from the indicators of its period."""
    sections = [
        _summary(fig),
        _budget(fig),
        _stock(fig),
        _prescriptions(fig),
        _funnel(fig),
        _publics(fig),
        _pic(fig),
        _communes(fig),
        _epcis(fig),
        _funders(fig),
        _engineering(fig),
        _months(fig),
    ]
    if year is None:
        sections.append(_years(fig))
    return StateReport(
        programme_name=programme.name,
        territory_code=programme.territory_code,
        programme_starts_on=programme.starts_on,
        programme_ends_on=programme.ends_on,
        year=year,
        period=fig.period,
        edited_on=fig.today,
        sections=tuple(sections),
    )


def state_report_for_programme(
    programme, year, *, today: datetime.date | None = None, using: str | None = None
) -> StateReport:
    """The report of the programme for ``year`` as typed (« 2026 », « final »)."""
    today = today or timezone.localdate()
    chosen = parse_year(programme, year, today)
    period = period_of(programme, chosen, today)
    fig = indicators_for_programme(programme, period, today=today, using=using)
    return assemble(programme, chosen, fig)


def state_report_for(actor, year, *, today: datetime.date | None = None) -> StateReport:
    """The report of the actor's programme: the operator and the funders (``VIEW_REPORTS``)."""
    ensure_can(actor, Capability.VIEW_REPORTS)
    return state_report_for_programme(actor.programme, year, today=today)
