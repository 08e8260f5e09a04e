"""The SVG builders: well-formed XML, an accessible name, bars and circles proportional to the
figures, every text escaped, empty data drawn as a sentence, contrasted DSFR colours."""

import math
import xml.etree.ElementTree as ET

import pytest

from passnum.reporting import charts
from passnum.reporting.charts import Bar, Place, Series

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # raises on malformed XML


def assert_accessible(root: ET.Element, chart_id: str, title: str):
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("id") == chart_id
    labelled = root.get("aria-labelledby").split()
    assert labelled == [f"{chart_id}-titre", f"{chart_id}-desc"]
    assert root.find("svg:title", NS).get("id") == labelled[0]
    assert root.find("svg:title", NS).text == title
    assert root.find("svg:desc", NS).get("id") == labelled[1]
    # It scales: a viewBox, as wide as its box.
    assert len(root.get("viewBox").split()) == 4
    assert root.get("width") == "100%"


def bars_of(root):
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "passnum-bar"]


def test_bar_chart_is_valid_accessible_and_proportional():
    markup = charts.bar_chart(
        "publics", "Par public", [Bar("rSa", 40), Bar("Senior", 10), Bar("Jeune", 0)]
    )
    root = parse(markup)
    assert_accessible(root, "publics", "Par public")
    widths = [float(r.get("width")) for r in bars_of(root)]
    assert widths == [charts.BAR_WIDTH, charts.BAR_WIDTH / 4]  # 0 draws no bar
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["rSa", "40", "Senior", "10", "Jeune", "0"]
    titles = [t.text for t in root.iter(f"{SVG}title")][1:]
    assert titles == ["rSa : 40", "Senior : 10", "Jeune : 0"]


def test_a_tiny_value_still_shows():
    assert charts.bar_lengths([10_000, 1, 0], 400) == [400, 1.0, 0.0]
    assert charts.bar_lengths([0, 0], 400) == [0.0, 0.0]


def test_labels_and_titles_are_escaped():
    name = 'Lieu <script>alert("x")</script> & Cie'
    markup = charts.bar_chart('a"b', "Titre <b> & « guillemets »", [Bar(name, 3)])
    assert "<script>" not in markup
    root = parse(markup)
    assert root.get("id") == 'a"b'
    assert root.find("svg:title", NS).text == "Titre <b> & « guillemets »"
    assert f"{name} : 3" in [t.text for t in root.iter(f"{SVG}title")]
    shown = " ".join(t.text for t in root.iter(f"{SVG}text"))
    assert "<script>alert" in shown  # as text, never as markup


def test_long_labels_wrap_on_two_lines_at_most():
    long = "Demandeur d'emploi sans diplôme ou de niveau inférieur au baccalauréat (PIC)"
    root = parse(charts.bar_chart("x", "x", [Bar(long, 5)]))
    lines = [t.text for t in root.iter(f"{SVG}text")][:-1]
    assert len(lines) == 2
    assert " ".join(lines).replace("…", "") in long or lines[-1].endswith("…")
    much_longer = " ".join(["mot"] * 80)
    lines = charts.wrap(much_longer, 200)
    assert len(lines) == 2
    assert lines[-1].endswith("…")


@pytest.mark.parametrize("builder", ["bars", "columns", "map"])
def test_empty_data_is_a_sentence_not_an_error(builder):
    markup = {
        "bars": lambda: charts.bar_chart("v", "Vide", []),
        "columns": lambda: charts.column_chart("v", "Vide", [], []),
        "map": lambda: charts.commune_map("v", "Vide", [], unit="chéquiers"),
    }[builder]()
    root = parse(markup)
    assert_accessible(root, "v", "Vide")
    assert next(t.text for t in root.iter(f"{SVG}text")).startswith("Aucun")
    assert root.find("svg:desc", NS).text.startswith("Aucun")


def test_columns_per_month_with_axis_and_legend():
    months = ["2026-01", "2026-02", "2026-03"]
    markup = charts.column_chart(
        "mois",
        "Par mois",
        months,
        [Series("Chéquiers prescrits", [4, 0, 8]), Series("Pass utilisés", [10, 20, 0])],
    )
    root = parse(markup)
    assert_accessible(root, "mois", "Par mois")
    columns = bars_of(root)
    assert len(columns) == 4  # zeros draw nothing
    heights = {c.find("svg:title", NS).text: float(c.get("height")) for c in columns}
    assert heights["Pass utilisés, févr. 2026 : 20"] == pytest.approx(
        2 * heights["Pass utilisés, janv. 2026 : 10"], abs=0.2
    )
    assert heights["Chéquiers prescrits, mars 2026 : 8"] == pytest.approx(
        2 * heights["Chéquiers prescrits, janv. 2026 : 4"], abs=0.2
    )
    # Every column stands on the same baseline.
    bottoms = {round(float(c.get("y")) + float(c.get("height")), 1) for c in columns}
    assert len(bottoms) == 1
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[:2] == ["Chéquiers prescrits", "Pass utilisés"]  # the legend
    assert {"0", "5", "10", "15", "20"} <= set(texts)  # the axis, round steps
    assert {"janv.", "févr.", "mars", "2026"} <= set(texts)
    # Two colours of the palette, one per series.
    assert {c.get("fill") for c in columns} == {charts.PALETTE[0], charts.PALETTE[1]}


def test_many_months_label_one_in_n():
    months = [f"{2026 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]
    root = parse(charts.column_chart("m", "m", months, [Series("Pass", list(range(36)))]))
    names = [t.text for t in root.iter(f"{SVG}text") if t.text in charts.MONTHS]
    assert len(names) == 12  # one in three
    assert [t.text for t in root.iter(f"{SVG}text") if t.text.isdigit() and len(t.text) == 4][
        :1
    ] == ["2026"]


@pytest.mark.parametrize(
    ("top", "step"), [(0, 1), (3, 1), (9, 5), (20, 5), (37, 10), (180, 50), (2_345, 1_000)]
)
def test_round_steps(top, step):
    assert charts.nice_step(top) == step


MENDE = Place("Mende", 44.518, 3.501, 40)
FLORAC = Place("Florac Trois Rivières", 44.324, 3.593, 10)
LANGOGNE = Place("Langogne", 44.727, 3.855, 0)
MARVEJOLS = Place("Marvejols", 44.554, 3.291, 0)


def circles(root, cls):
    return [c for c in root.iter(f"{SVG}circle") if c.get("class") == cls]


def test_map_draws_every_commune_and_proportional_circles():
    markup = charts.commune_map(
        "carte", "Carte", [MENDE, FLORAC, LANGOGNE, MARVEJOLS], unit="chéquiers prescrits"
    )
    root = parse(markup)
    assert_accessible(root, "carte", "Carte")
    dots = list(root.find("svg:g[@class='passnum-map-communes']", NS))
    assert [d.find("svg:title", NS).text for d in dots] == [
        "Mende",
        "Florac Trois Rivières",
        "Langogne",
        "Marvejols",
    ]
    drawn = circles(root, "passnum-map-circle")
    assert [c.find("svg:title", NS).text for c in drawn] == [
        "Mende : 40 chéquiers prescrits",  # the largest first, under the small ones
        "Florac Trois Rivières : 10 chéquiers prescrits",
    ]
    r_mende, r_florac = (float(c.get("r")) for c in drawn)
    # The area follows the value: 4 times the value, twice the radius.
    assert r_mende == pytest.approx(charts.MAX_RADIUS)
    assert r_mende / r_florac == pytest.approx(2, rel=0.02)
    # North is up, east is right: Langogne (north-east of Mende) is above and to its right.
    position = {
        d.find("svg:title", NS).text: (float(d.get("cx")), float(d.get("cy"))) for d in dots
    }
    assert position["Langogne"][0] > position["Mende"][0]
    assert position["Langogne"][1] < position["Mende"][1]
    assert position["Florac Trois Rivières"][1] > position["Mende"][1]
    # Everything lies inside the drawing.
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    for x, y in position.values():
        assert 0 < x < width
        assert 0 < y < height
    # A legend: a dot, the unit, round values.
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "une commune du territoire" in texts
    assert "Chéquiers prescrits :" in texts
    assert "40" in texts
    assert "10" in texts


def test_the_projection_keeps_distances_on_both_axes():
    """One degree of longitude is cos(latitude) times one degree of latitude."""
    centre = Place("C", 44.5, 3.5)
    north = Place("N", 45.5, 3.5)
    east = Place("E", 44.5, 4.5)
    _, xy = charts.project([centre, north, east], 480, 600)
    cx, cy = xy(centre.latitude, centre.longitude)
    nx, ny = xy(north.latitude, north.longitude)
    ex, ey = xy(east.latitude, east.longitude)
    shrink = math.cos(math.radians((44.5 + 45.5 + 44.5) / 3))
    assert (ex - cx) / (cy - ny) == pytest.approx(shrink)
    assert ey == cy
    assert nx == cx


def test_map_names_are_escaped_and_unlocated_communes_skipped():
    odd = Place("Saint-<Étienne> & « Val »", 44.6, 3.4, 5, note='5 chéquiers, "2" pass')
    lost = Place("Sans coordonnées", None, None, 9)
    root = parse(charts.commune_map("c", "C", [MENDE, odd, lost], unit="chéquiers"))
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert 'Saint-<Étienne> & « Val » : 5 chéquiers, "2" pass' in titles
    assert not any("Sans coordonnées" in t for t in titles)


def test_legend_values_are_round_and_decreasing():
    assert charts.legend_values(0) == []
    assert charts.legend_values(1) == [1]
    assert charts.legend_values(40) == [40, 10, 2]
    assert charts.legend_values(837) == [837, 200, 40]


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", [*charts.PALETTE, charts.GREY_AXIS])
def test_colours_contrast_with_the_white_background(colour):
    """WCAG 1.4.11: graphical objects at least 3:1 against their background."""
    ratio = (1.05) / (relative_luminance(colour) + 0.05)
    assert ratio >= 3, f"{colour} : {ratio:.2f}"


def test_text_contrast():
    assert 1.05 / (relative_luminance(charts.GREY_TEXT) + 0.05) >= 4.5
