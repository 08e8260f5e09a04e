"""Charts and maps as SVG markup, drawn on the server from figures already computed.

Pure functions: figures in, a string of SVG out (no web framework, no JavaScript, no external
call). Every chart is an image for assistive technologies (``role="img"``, named by its
``<title>`` and ``<desc>`` through ``aria-labelledby``); the page shows the same figures in a
table beside it. Sizes are in the units of the ``viewBox``: the drawing scales to the width of
its container (``width="100%"``). Colours come from the DSFR palette, each with a contrast of
at least 3:1 against the white background (WCAG 1.4.11); text is near black.

Every text (labels, names, titles) is escaped: a name typed by someone can hold ``<`` or ``&``.
"""

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

# DSFR colours (« sun » tones of the illustrative palette, and Marianne's blue).
BLUE_FRANCE = "#000091"  # blue-france-sun-113
BLUE_CUMULUS = "#3558a2"  # blue-cumulus-sun-368
GREEN_ARCHIPEL = "#006a6f"  # green-archipel-sun-391
PINK_TUILE = "#a94645"  # pink-tuile-sun-425
PURPLE_GLYCINE = "#6e445a"  # purple-glycine-sun-319
BROWN_CARAMEL = "#845d48"  # brown-caramel-sun-425
GREY_TEXT = "#161616"  # grey-50-1000: text
GREY_AXIS = "#666666"  # grey-425-625: axes, the communes' dots
GREY_GRID = "#dddddd"  # grey-900-175: grid lines (decoration)
WHITE = "#ffffff"
PALETTE = (BLUE_FRANCE, GREEN_ARCHIPEL, PINK_TUILE, BLUE_CUMULUS, PURPLE_GLYCINE, BROWN_CARAMEL)

FONT = "Marianne, arial, sans-serif"
FONT_SIZE = 16
SMALL = 14
CHAR_WIDTH = 0.56  # average width of a character, in font sizes (for wrapping labels)

MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin"]
MONTHS += ["juil.", "août", "sept.", "oct.", "nov.", "déc."]


def text(value) -> str:
    """Escaped for an element's text or an attribute between double quotes."""
    return escape(str(value), {'"': "&quot;"})


def number(value: int) -> str:
    """1234 → « 1 234 » (narrow no-break space, as the pages write numbers)."""
    return f"{int(value):,}".replace(",", "\u202f")


def _n(value: float) -> str:
    """A coordinate, short and exact enough."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def wrap(label: str, width: float, size: int = FONT_SIZE, lines: int = 2) -> list[str]:
    """The label cut into at most ``lines`` lines fitting ``width`` (the last one ends with
    « … » when the label is longer)."""
    per_line = max(int(width / (size * CHAR_WIDTH)), 4)
    words, result, line = label.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= per_line or not line:
            line = candidate
        else:
            result.append(line)
            line = word
    if line:
        result.append(line)
    if len(result) > lines:
        result = result[:lines]
        result[-1] = result[-1][: per_line - 1].rstrip() + "…"
    return [r if len(r) <= per_line else r[: per_line - 1] + "…" for r in result] or [""]


def _svg(chart_id: str, title: str, description: str, width: float, height: float, body) -> str:
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" id="{text(chart_id)}" role="img" '
            f'aria-labelledby="{text(chart_id)}-titre {text(chart_id)}-desc" '
            f'viewBox="0 0 {_n(width)} {_n(height)}" width="100%" '
            f'preserveAspectRatio="xMinYMin meet" font-family="{FONT}" '
            f'font-size="{FONT_SIZE}" fill="{GREY_TEXT}">',
            f'<title id="{text(chart_id)}-titre">{text(title)}</title>',
            f'<desc id="{text(chart_id)}-desc">{text(description)}</desc>',
            f'<rect width="{_n(width)}" height="{_n(height)}" fill="{WHITE}"/>',
            *body,
            "</svg>",
        ]
    )


# Horizontal bars ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    shown: str = ""  # the value as written beside the bar (default: the number)
    colour: str = ""  # default: the chart's colour


BAR_WIDTH = 400  # of the drawing
BAR_HEIGHT = 14
LINE = 20  # height of a line of label


def bar_lengths(values, width: float) -> list[float]:
    """Bar lengths proportional to the values, the largest spanning ``width``; a non-zero value
    gets at least one unit so that it shows."""
    top = max(values, default=0)
    if top <= 0:
        return [0.0 for _ in values]
    return [max(width * v / top, 1.0) if v > 0 else 0.0 for v in values]


def bar_chart(
    chart_id: str,
    title: str,
    bars: list[Bar],
    *,
    description: str = "",
    colour: str = BLUE_FRANCE,
    empty: str = "Aucune donnée pour cette période.",
) -> str:
    """Horizontal bars, one per line: its label (wrapped on two lines at most) and its value
    above a bar whose length is proportional to the value."""
    width = BAR_WIDTH
    body, y = [], 4.0
    if not bars:
        body.append(f'<text x="0" y="{_n(y + LINE)}">{text(empty)}</text>')
        return _svg(chart_id, title, description or empty, width, y + LINE + 12, body)
    lengths = bar_lengths([b.value for b in bars], width)
    for bar, length in zip(bars, lengths, strict=True):
        shown = bar.shown or number(bar.value)
        label_width = width - (len(shown) + 2) * FONT_SIZE * CHAR_WIDTH
        lines = wrap(bar.label, label_width)
        body.append(f"<g><title>{text(bar.label)} : {text(shown)}</title>")
        for i, line in enumerate(lines):
            body.append(f'<text x="0" y="{_n(y + LINE * (i + 1) - 5)}">{text(line)}</text>')
        body.append(
            f'<text x="{width}" y="{_n(y + LINE * len(lines) - 5)}" text-anchor="end" '
            f'font-weight="700">{text(shown)}</text>'
        )
        y += LINE * len(lines)
        body.append(
            f'<rect x="0" y="{_n(y)}" width="{_n(width)}" height="{BAR_HEIGHT}" '
            f'fill="{GREY_GRID}" fill-opacity="0.4"/>'
        )
        if length:
            body.append(
                f'<rect class="passnum-bar" x="0" y="{_n(y)}" width="{_n(length)}" '
                f'height="{BAR_HEIGHT}" fill="{text(bar.colour or colour)}"/>'
            )
        body.append("</g>")
        y += BAR_HEIGHT + 12
    return _svg(chart_id, title, description, width, y, body)


# Columns over time -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]
    colour: str = ""


def nice_step(top: float, ticks: int = 4) -> int:
    """A round step (1, 2, 5 × 10ⁿ) so that about ``ticks`` steps cover ``top``."""
    if top <= ticks:
        return 1
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover (the loop always returns)


def month_label(month: str) -> tuple[str, str]:
    """« 2026-01 » → (« janv. », « 2026 »)."""
    year, number_ = month.split("-")
    return MONTHS[int(number_) - 1], year


COLUMNS_WIDTH = 640
COLUMNS_HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 44, 48


def column_chart(
    chart_id: str,
    title: str,
    months: list[str],
    series: list[Series],
    *,
    description: str = "",
    empty: str = "Aucun mois dans cette période.",
) -> str:
    """Grouped columns per month (``AAAA-MM``), one colour per series, with a legend, a
    vertical axis of round steps and the months below (the year under each January and under
    the first month)."""
    width, height = COLUMNS_WIDTH, COLUMNS_HEIGHT
    if not months:
        body = [f'<text x="0" y="{LINE + 4}">{text(empty)}</text>']
        return _svg(chart_id, title, description or empty, width, LINE + 16, body)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    top_value = max((v for s in series for v in s.values), default=0)
    step = nice_step(top_value)
    top = max(step * math.ceil(top_value / step), step)
    body = []
    # Legend.
    x = float(LEFT)
    for i, s in enumerate(series):
        colour = s.colour or PALETTE[i % len(PALETTE)]
        body.append(f'<rect x="{_n(x)}" y="8" width="14" height="14" fill="{text(colour)}"/>')
        body.append(f'<text x="{_n(x + 20)}" y="20">{text(s.name)}</text>')
        x += 20 + len(s.name) * FONT_SIZE * CHAR_WIDTH + 24
    # Vertical axis and grid.
    for value in range(0, top + 1, step):
        y = TOP + plot_h - plot_h * value / top
        body.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{GREY_AXIS if value == 0 else GREY_GRID}" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{LEFT - 6}" y="{_n(y + 5)}" text-anchor="end" '
            f'font-size="{SMALL}">{number(value)}</text>'
        )
    # Columns.
    slot = plot_w / len(months)
    gap = min(slot * 0.2, 12)
    column = (slot - gap) / max(len(series), 1)
    every = math.ceil(len(months) / 12)
    for m, month in enumerate(months):
        x0 = LEFT + m * slot + gap / 2
        for i, s in enumerate(series):
            value = s.values[m]
            if value <= 0:
                continue
            colour = s.colour or PALETTE[i % len(PALETTE)]
            h = plot_h * value / top
            body.append(
                f'<rect class="passnum-bar" x="{_n(x0 + i * column)}" '
                f'y="{_n(TOP + plot_h - h)}" width="{_n(column)}" height="{_n(h)}" '
                f'fill="{text(colour)}"><title>{text(s.name)}, '
                f"{text(' '.join(month_label(month)))} : {number(value)}</title></rect>"
            )
        name, year = month_label(month)
        if m % every == 0:
            centre = LEFT + m * slot + slot / 2
            body.append(
                f'<text x="{_n(centre)}" y="{TOP + plot_h + 18}" text-anchor="middle" '
                f'font-size="{SMALL}">{text(name)}</text>'
            )
            if m == 0 or name == MONTHS[0] or (every > 1 and m < every):
                body.append(
                    f'<text x="{_n(centre)}" y="{TOP + plot_h + 36}" text-anchor="middle" '
                    f'font-size="{SMALL}">{text(year)}</text>'
                )
    return _svg(chart_id, title, description, width, height, body)


# A map of the communes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A commune on the map: a dot, and a circle when ``value`` is positive."""

    name: str
    latitude: float
    longitude: float
    value: int = 0
    note: str = ""  # what the circle's title says after the name


MAP_WIDTH = 480
MAX_RADIUS = 24
DOT_RADIUS = 2.2
MARGIN = MAX_RADIUS + 4


def project(places: list[Place], width: float, height_max: float):
    """An equirectangular projection fitted to the places: longitudes shrunk by the cosine of
    the mean latitude, north up, the same scale on both axes. Returns the drawing's height and
    the function that turns (latitude, longitude) into (x, y)."""
    lats = [p.latitude for p in places]
    lons = [p.longitude for p in places]
    shrink = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * shrink, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((width - 2 * MARGIN) / span_x, (height_max - 2 * MARGIN) / span_y)
    height = span_y * scale + 2 * MARGIN
    offset_x = (width - span_x * scale) / 2
    west, north = min(lons), max(lats)

    def xy(latitude: float, longitude: float) -> tuple[float, float]:
        return (
            offset_x + (longitude - west) * shrink * scale,
            MARGIN + (north - latitude) * scale,
        )

    return height, xy


def radius(value: float, top: float) -> float:
    """Proportional circles: the area, not the radius, follows the value."""
    return MAX_RADIUS * math.sqrt(value / top) if top > 0 and value > 0 else 0.0


def legend_values(top: int) -> list[int]:
    """Two or three round values for the legend's circles, the largest first."""
    if top <= 0:
        return []
    values = [top]
    for fraction in (0.25, 0.05):
        candidate = round(top * fraction)
        step = 10 ** max(len(str(candidate)) - 1, 0)
        candidate = max(round(candidate / step) * step, 1)
        if candidate < values[-1]:
            values.append(candidate)
    return values


def commune_map(
    chart_id: str,
    title: str,
    places: list[Place],
    *,
    unit: str,
    description: str = "",
    colour: str = BLUE_FRANCE,
    empty: str = "Aucune commune à situer.",
) -> str:
    """The communes as small dots, each commune with a positive value as a circle whose area
    follows it (the largest drawn first, so that small ones stay visible), and a legend of the
    circles' sizes (``unit``: what a value counts, « chéquiers prescrits »)."""
    located = [p for p in places if p.latitude is not None and p.longitude is not None]
    width = MAP_WIDTH
    if not located:
        body = [f'<text x="0" y="{LINE + 4}">{text(empty)}</text>']
        return _svg(chart_id, title, description or empty, width, LINE + 16, body)
    height, xy = project(located, width, width * 1.2)
    top = max(p.value for p in located)
    body = ['<g class="passnum-map-communes">']
    for place in located:
        x, y = xy(place.latitude, place.longitude)
        body.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{DOT_RADIUS}" fill="{GREY_AXIS}">'
            f"<title>{text(place.name)}</title></circle>"
        )
    body.append("</g>")
    body.append('<g class="passnum-map-circles">')
    for place in sorted((p for p in located if p.value > 0), key=lambda p: (-p.value, p.name)):
        x, y = xy(place.latitude, place.longitude)
        note = f" : {place.note}" if place.note else f" : {number(place.value)} {unit}"
        body.append(
            f'<circle class="passnum-map-circle" cx="{_n(x)}" cy="{_n(y)}" '
            f'r="{_n(max(radius(place.value, top), 1.5))}" fill="{text(colour)}" '
            f'fill-opacity="0.45" stroke="{text(colour)}" stroke-width="1.5">'
            f"<title>{text(place.name)}{text(note)}</title></circle>"
        )
    body.append("</g>")
    # Legend, below the map.
    y = height + 8
    body.append(
        f'<circle cx="{MARGIN - 20}" cy="{_n(y + 8)}" r="{DOT_RADIUS}" fill="{GREY_AXIS}"/>'
        f'<text x="{MARGIN - 10}" y="{_n(y + 13)}">'
        "une commune du territoire</text>"
    )
    values = legend_values(top)
    if values:
        big = radius(values[0], top)
        base = y + 24 + 2 * big
        body.append(f'<text x="{MARGIN - 20}" y="{_n(y + 40)}">{text(unit.capitalize())} :</text>')
        x = MARGIN - 20 + (len(unit) + 2) * FONT_SIZE * CHAR_WIDTH + 12
        for value in values:
            r = radius(value, top)
            x += r
            body.append(
                f'<circle cx="{_n(x)}" cy="{_n(base - r)}" r="{_n(r)}" fill="{text(colour)}" '
                f'fill-opacity="0.45" stroke="{text(colour)}" stroke-width="1.5"/>'
                f'<text x="{_n(x + r + 6)}" y="{_n(base - r + 5)}">'
                f"{number(value)}</text>"
            )
            x += r + 6 + len(number(value)) * FONT_SIZE * CHAR_WIDTH + 20
        y = base
    else:
        y += 20
    return _svg(chart_id, title, description, width, y + 8, body)
