"""What the dashboard and « Indicateurs » show of the programme's indicators: key figures,
charts and the table beside each chart.

Nothing is computed here: every figure comes from ``reporting.indicators`` as it is; this
module only chooses labels, formats numbers the French way and hands the figures to the SVG
builders of ``reporting.charts``.
"""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from passnum.common.formats import decimal_comma, percent
from passnum.common.templatetags.passnum import euros, number
from passnum.referential.enums import Public, Service
from passnum.reporting import charts
from passnum.reporting.indicators import OUTSIDE_PRIORITY, PIC_TARGET, Indicators

from .forms import OUTSIDE_PRIORITY_LABEL

PROVIDERS_IN_CHART = 10
FUNNEL_COLOURS = {
    "expired": charts.PINK_TUILE,
    "cancelled": charts.BROWN_CARAMEL,
}


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    detail: str = ""
    status: str = ""  # « success » or « error »: a target met or missed


@dataclass(frozen=True)
class Row:
    header: str
    cells: list[str]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: SafeString
    caption: str
    columns: list[str]
    rows: list[Row]
    note: str = ""
    kind: str = "bars"  # « bars », « columns » (scroll sideways on a small screen), « map »
    text_columns: int = 0  # cells of text after the row's header (the others are numbers)


def day(value) -> str:
    return date_format(value, "j F Y") if value else ""


def public_label(code: str) -> str:
    return OUTSIDE_PRIORITY_LABEL if code == OUTSIDE_PRIORITY else Public(code).label


def month_name(month: str) -> str:
    name, year = charts.month_label(month)
    return f"{name} {year}"


# Key figures -----------------------------------------------------------------------------------


def budget_figures(figures: Indicators) -> list[KeyFigure]:
    budget = figures.budget
    runs_out = figures.budget_runs_out_on
    return [
        KeyFigure(
            "Enveloppe",
            euros(budget.envelope_cents),
            f"dont {euros(budget.pass_budget_cents)} pour les pass",
        ),
        KeyFigure("Engagé", euros(budget.committed_cents), "pass attribués, pas encore utilisés"),
        KeyFigure("Consommé", euros(budget.consumed_cents), "pass encaissés ou remboursés"),
        KeyFigure("Disponible", euros(budget.available_cents), "pour de nouveaux chéquiers"),
        KeyFigure(
            "Épuisement prévu",
            day(runs_out) if runs_out else "Non estimé",
            "au rythme des prescriptions des 90 derniers jours"
            if runs_out
            else "aucune prescription ces 90 derniers jours",
        ),
    ]


def activity_figures(figures: Indicators) -> list[KeyFigure]:
    checkbooks = figures.checkbooks
    median = figures.median_days_to_first_use
    met = figures.pic_target_met
    target = f"{PIC_TARGET * 100:g}\u00a0%"
    return [
        KeyFigure(
            "Taux d'utilisation",
            percent(figures.usage_rate),
            "pass utilisés sur pass attribués (hors annulés)",
        ),
        KeyFigure("Chéquiers prescrits", number(checkbooks.prescribed)),
        KeyFigure("Chéquiers entamés", number(checkbooks.started), "au moins un pass utilisé"),
        KeyFigure("Chéquiers terminés", number(checkbooks.finished), "tous les pass utilisés"),
        KeyFigure("Personnes accompagnées", number(figures.people), "ayant reçu un chéquier"),
        KeyFigure(
            "Délai médian de première utilisation",
            f"{decimal_comma(median, 0 if median == int(median) else 1)} jours"
            if median is not None
            else "Aucun pass utilisé",
            "entre la prescription et la première séance",
        ),
        KeyFigure(
            "Part des publics du PIC",
            percent(figures.pic_share),
            f"objectif de {target} atteint" if met else f"objectif de {target} non atteint",
            "success" if met else "error",
        ),
    ]


def funder_figures(figures: Indicators) -> list[KeyFigure]:
    return [
        KeyFigure(
            share.funder.name,
            euros(share.of_consumed_cents),
            f"sa part du consommé ({str(share.funder.share_percent).replace('.', ',')}\u00a0%)",
        )
        for share in figures.funders
    ]


def reminder_figures(figures: Indicators) -> list[KeyFigure]:
    """Usage after a reminder, against usage without: checkbooks that became dormant in the
    period and whose 30 days of watching are over (``reporting/reminders.py``)."""
    effect = figures.reminders

    def resumed(share) -> str:
        return percent(share) if share is not None else "Aucun chéquier"

    return [
        KeyFigure(
            "Usage repris après une relance",
            resumed(effect.reminded_share),
            f"{number(effect.resumed_after_reminder)} chéquiers dormants relancés sur "
            f"{number(effect.reminded)} ont servi dans les 30 jours suivant la relance",
        ),
        KeyFigure(
            "Usage repris sans relance",
            resumed(effect.not_reminded_share),
            f"{number(effect.resumed_without_reminder)} chéquiers dormants non relancés sur "
            f"{number(effect.not_reminded)} ont servi dans les 30 jours",
        ),
    ]


# Charts ----------------------------------------------------------------------------------------


def funnel_chart(figures: Indicators, prefix: str) -> Chart:
    steps = figures.funnel
    title = "Des pass en stock aux pass remboursés"
    return Chart(
        id=f"{prefix}entonnoir",
        title=title,
        svg=mark_safe(
            charts.bar_chart(
                f"{prefix}entonnoir",
                title,
                [
                    charts.Bar(s.label, s.passes, colour=FUNNEL_COLOURS.get(s.code, ""))
                    for s in steps
                ],
                description="Nombre de pass à chaque étape : "
                + " ; ".join(f"{s.label} : {number(s.passes)}" for s in steps)
                + ".",
            )
        ),
        caption="Pass à chaque étape",
        columns=["Étape", "Pass"],
        rows=[Row(s.label, [number(s.passes)]) for s in steps],
    )


def months_chart(figures: Indicators, prefix: str) -> Chart:
    months = figures.by_month
    title = "Chéquiers prescrits et pass utilisés, mois par mois"
    prescribed, used = figures.checkbooks.prescribed, figures.used.passes
    span = f"de {month_name(months[0].month)} à {month_name(months[-1].month)}" if months else ""
    return Chart(
        id=f"{prefix}mois",
        title=title,
        svg=mark_safe(
            charts.column_chart(
                f"{prefix}mois",
                title,
                [m.month for m in months],
                [
                    charts.Series("Chéquiers prescrits", [m.prescribed for m in months]),
                    charts.Series("Pass utilisés", [m.used.passes for m in months]),
                ],
                description=f"Colonnes par mois, {span} : {number(prescribed)} chéquiers "
                f"prescrits et {number(used)} pass utilisés en tout. Le détail est dans le "
                "tableau qui suit.",
            )
        ),
        caption="Chéquiers prescrits et pass utilisés par mois",
        columns=["Mois", "Chéquiers prescrits", "Pass utilisés", "Valeur des pass utilisés"],
        rows=[
            Row(
                month_name(m.month),
                [number(m.prescribed), number(m.used.passes), euros(m.used.cents)],
            )
            for m in months
        ],
        kind="columns",
    )


def public_chart(figures: Indicators, prefix: str) -> Chart:
    items = [(public_label(code), n) for code, n in figures.by_public.items()]
    title = "Chéquiers prescrits par public"
    return Chart(
        id=f"{prefix}publics",
        title=title,
        svg=mark_safe(
            charts.bar_chart(
                f"{prefix}publics",
                title,
                [charts.Bar(label, n) for label, n in items],
                description="Une personne peut relever de plusieurs publics : la somme dépasse "
                "le nombre de chéquiers.",
            )
        ),
        caption="Chéquiers prescrits par public prioritaire",
        columns=["Public", "Chéquiers prescrits"],
        rows=[Row(label, [number(n)]) for label, n in items],
        note="Une personne peut relever de plusieurs publics : la somme dépasse le nombre de "
        "chéquiers.",
    )


def service_chart(figures: Indicators, prefix: str) -> Chart:
    items = [(Service(code).label, n) for code, n in figures.by_service.items()]
    title = "Chéquiers prescrits par besoin"
    return Chart(
        id=f"{prefix}besoins",
        title=title,
        svg=mark_safe(
            charts.bar_chart(
                f"{prefix}besoins",
                title,
                [charts.Bar(label, n) for label, n in items],
                colour=charts.GREEN_ARCHIPEL,
                description="Une orientation peut nommer plusieurs besoins.",
            )
        ),
        caption="Chéquiers prescrits par besoin exprimé",
        columns=["Besoin", "Chéquiers prescrits"],
        rows=[Row(label, [number(n)]) for label, n in items],
        note="Une orientation peut nommer plusieurs besoins.",
    )


def provider_chart(figures: Indicators, prefix: str) -> Chart:
    providers = figures.by_provider
    shown = providers[:PROVIDERS_IN_CHART]
    title = "Pass utilisés par structure de médiation"
    more = len(providers) - len(shown)
    note = (
        f"Le graphique montre les {len(shown)} structures qui ont le plus encaissé ; le tableau "
        f"les montre toutes ({len(providers)})."
        if more > 0
        else ""
    )
    return Chart(
        id=f"{prefix}structures",
        title=title,
        svg=mark_safe(
            charts.bar_chart(
                f"{prefix}structures",
                title,
                [charts.Bar(p.name, p.used.passes) for p in shown],
                colour=charts.BLUE_CUMULUS,
                description=note or "Pass utilisés dans la période, par structure.",
                empty="Aucun pass utilisé dans cette période.",
            )
        ),
        caption="Pass utilisés par structure de médiation",
        columns=["Structure", "Pass utilisés", "Valeur"],
        rows=[Row(p.name, [number(p.used.passes), euros(p.used.cents)]) for p in providers],
        note=note,
    )


def epci_chart(figures: Indicators, prefix: str) -> Chart:
    title = "Chéquiers prescrits par intercommunalité"
    return Chart(
        id=f"{prefix}epci",
        title=title,
        svg=mark_safe(
            charts.bar_chart(
                f"{prefix}epci",
                title,
                [charts.Bar(e.name, e.prescribed) for e in figures.by_epci],
                colour=charts.PURPLE_GLYCINE,
                description="Selon la commune de la personne.",
                empty="Aucun chéquier prescrit dans cette période.",
            )
        ),
        caption="Chéquiers prescrits et pass utilisés par intercommunalité",
        columns=["Intercommunalité", "Chéquiers prescrits", "Pass utilisés"],
        rows=[Row(e.name, [number(e.prescribed), number(e.used.passes)]) for e in figures.by_epci],
    )


def commune_map(figures: Indicators, communes, prefix: str) -> Chart:
    """The territory's communes (``communes``: those of the programme's department) as dots,
    the checkbooks prescribed to their people as circles."""
    by_insee = {c.insee_code: c for c in figures.by_commune}
    epci_names = {e.code: e.name for e in figures.by_epci}
    places = []
    for commune in communes:
        if commune.latitude is None or commune.longitude is None:
            continue
        found = by_insee.get(commune.insee_code)
        prescribed = found.prescribed if found else 0
        used = found.used.passes if found else 0
        places.append(
            charts.Place(
                commune.name,
                float(commune.latitude),
                float(commune.longitude),
                prescribed,
                f"{number(prescribed)} chéquier{'s' if prescribed > 1 else ''} prescrit"
                f"{'s' if prescribed > 1 else ''}, {number(used)} pass utilisé"
                f"{'s' if used > 1 else ''}",
            )
        )
    title = "Chéquiers prescrits par commune de la personne"
    return Chart(
        id=f"{prefix}carte",
        title=title,
        svg=mark_safe(
            charts.commune_map(
                f"{prefix}carte",
                title,
                places,
                unit="chéquiers prescrits",
                description=f"Carte des {len(places)} communes du territoire ; un cercle pour "
                "chaque commune dont des personnes ont reçu un chéquier, d'aire proportionnelle "
                "au nombre de chéquiers. Le détail est dans le tableau qui suit.",
            )
        ),
        caption="Chéquiers prescrits et pass utilisés par commune",
        columns=["Commune", "Intercommunalité", "Chéquiers prescrits", "Pass utilisés"],
        rows=[
            Row(
                c.name,
                [epci_names.get(c.epci_code, "—"), number(c.prescribed), number(c.used.passes)],
            )
            for c in figures.by_commune
        ],
        text_columns=1,
        kind="map",
        note="Seules les communes où vit au moins une personne ayant reçu un chéquier ou "
        "utilisé un pass dans la période sont dans le tableau.",
    )


def year_rows(figures: Indicators) -> list[Row]:
    return [
        Row(
            f"Année {y.number} ({y.starts_on:%d/%m/%Y} – {y.ends_on:%d/%m/%Y})",
            [number(y.prescribed), number(y.used.passes), euros(y.used.cents)],
        )
        for y in figures.by_year
    ]


def dashboard_context(figures: Indicators) -> dict:
    """What the dashboard shows: the key figures, the funnel and the months."""
    return {
        "figures": figures,
        "budget_figures": budget_figures(figures),
        "activity_figures": activity_figures(figures),
        "funder_figures": funder_figures(figures),
        "reminder_figures": reminder_figures(figures),
        "charts": [funnel_chart(figures, "tb-"), months_chart(figures, "tb-")],
    }


def indicators_context(figures: Indicators, communes) -> dict:
    """What « Indicateurs » shows: everything."""
    return {
        "figures": figures,
        "budget_figures": budget_figures(figures),
        "activity_figures": activity_figures(figures),
        "funder_figures": funder_figures(figures),
        "reminder_figures": reminder_figures(figures),
        "funnel": funnel_chart(figures, ""),
        "months": months_chart(figures, ""),
        "breakdowns": [
            public_chart(figures, ""),
            service_chart(figures, ""),
            provider_chart(figures, ""),
            epci_chart(figures, ""),
        ],
        "map": commune_map(figures, communes, ""),
        "years": year_rows(figures),
    }
