"""The chart builders and the component that draws them with the bundled plotly.js."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from analytics.reporting import spread
from ui import charts


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"label": ["Groep A", "Groep B", "Groep C"], "fill_rate": [0.5, 1.25, 0.0],
                         "oversubscription": [0.75, 1.5, 0.1], "placed": [6, 15, 0], "town": ["x", "y", "z"]})


def test_bars_one_trace_per_value_in_the_frames_order(frame):
    figure = charts.bars(frame, "label", {"fill_rate": "Vulgraad", "oversubscription": "Overtekening"},
                         title="Vulgraad", value_format=".0%", hover={"placed": "Geplaatst", "town": ("Plaats", "")})
    first, second = figure.data
    assert (first.name, second.name) == ("Vulgraad", "Overtekening")
    assert list(first.y) == ["Groep A", "Groep B", "Groep C"] and list(second.x) == [0.75, 1.5, 0.1]
    assert first.orientation == "h" and figure.layout.yaxis.autorange == "reversed"  # first row on top
    assert figure.layout.xaxis.tickformat == ".0%"
    assert first.hovertemplate == ("%{y}<br>%{fullData.name}: %{x:.0%}<br>Geplaatst: %{customdata[0]}"
                                   "<br>Plaats: %{customdata[1]}<extra></extra>")
    assert first.customdata.tolist() == [[6, "x"], [15, "y"], [0, "z"]]
    assert figure.layout.showlegend is True and figure.layout.template.layout.colorway == tuple(charts.PALETTE)


def test_a_single_vertical_series_has_no_legend(frame):
    figure = charts.bars(frame, "label", {"placed": "Geplaatst"}, horizontal=False)
    assert figure.data[0].orientation == "v" and figure.layout.showlegend is False
    assert figure.layout.xaxis.type == "category" and figure.layout.xaxis.autorange is None


def test_repeated_labels_are_numbered_so_no_bars_merge():
    labels = pd.Series(["Kring Noord", "Kring Zuid", "Kring Noord", "Kring Noord"])
    assert charts.unique(labels).tolist() == ["Kring Noord", "Kring Zuid", "Kring Noord (2)", "Kring Noord (3)"]


def test_lines_one_per_group_named_by_label_the_focus_thicker():
    growth = pd.DataFrame({"round_id": [7, 7, 9, 9], "round": ["2025", "2025", "2026", "2026"],
                           "day": [-3, 0, -5, -1], "cumulative": [1, 4, 2, 3]})
    figure = charts.lines(growth, "day", "cumulative", "round_id", label="round", emphasise=9, title="Curve",
                          x_title="Dag", y_title="Aanmeldingen")
    assert [(tr.name, list(tr.x), tr.line.width, tr.line.shape) for tr in figure.data] == [
        ("2025", [-3, 0], 1.5, "hv"), ("2026", [-5, -1], 4, "hv")]
    assert figure.layout.xaxis.title.text == "Dag"


def test_choropleth_names_its_shapes_and_hovers_the_name_first():
    towns = pd.DataFrame({"code": ["GM0344", "GM0363"], "name": ["Utrecht", "Amsterdam"], "n": [5, 2],
                          "population": [370000, 930000]})
    figure = charts.choropleth(towns, "code", "n", "municipalities", name="name", title="Kaart",
                               hover={"population": ("Inwoners", ",")}, colorbar="Aanmelders")
    charts.greyed(figure, towns.head(1), "code", "municipalities", name="name", label="Niet getoond")
    shown, grey = figure.data
    assert shown.geojson == "municipalities" and grey.geojson == "municipalities"
    assert shown.hovertemplate == "<b>%{customdata[0]}</b><br>Inwoners: %{customdata[1]:,}<extra></extra>"
    assert shown.customdata.tolist() == [["Utrecht", 370000], ["Amsterdam", 930000]]
    assert list(grey.locations) == ["GM0344"] and grey.showscale is False and grey.name == "Niet getoond"


def draw_map():
    import pandas as pd
    import streamlit as st

    from analytics.reporting import spread
    from ui import charts

    towns = pd.DataFrame({"code": ["GM0344"], "name": ["Utrecht"], "n": [5]})
    figure = charts.choropleth(towns, "code", "n", "municipalities", name="name", title="Kaart", hover={},
                               colorbar="n")
    charts.preload()
    charts.plot(figure, key="map", config={"topojsonURL": spread.NO_BASE_MAP},
                shapes={"municipalities": spread.map_json()})
    st.caption("na de kaart")


@pytest.fixture
def static_serving():
    """Static serving as .streamlit/config.toml sets it; restored afterwards."""
    before = config.get_option("server.enableStaticServing")
    yield lambda on: config.set_option("server.enableStaticServing", on)
    config.set_option("server.enableStaticServing", before)


def test_plot_sends_the_figure_and_its_shapes_to_the_component(static_serving):
    static_serving(True)
    at = AppTest.from_function(draw_map).run()
    assert not at.exception
    [element] = at.main.get("bidi_component")
    [preloader] = at.sidebar.get("bidi_component")  # loads the bundle while the page runs
    assert json.loads(preloader.proto.json) == {"preload": True}
    data = json.loads(element.proto.json)
    assert json.loads(data["figure"])["data"][0]["geojson"] == "municipalities"
    assert json.loads(data["shapes"]["municipalities"]) == spread.map_shapes()  # sent once, beside the figure
    assert data["config"] == {"topojsonURL": spread.NO_BASE_MAP} and data["failed"]
    assert "import(new URL(\"../../app/static/plotly-academy.min.js\"" in element.proto.js_content
    assert at.caption[0].value == "na de kaart"


def test_without_static_serving_the_chart_falls_back_to_streamlits_plotly(static_serving):
    static_serving(False)
    at = AppTest.from_function(draw_map).run()
    assert not at.exception
    assert not at.get("bidi_component") and not at.sidebar.markdown  # nothing to preload either
    [chart] = at.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    assert figure["data"][0]["geojson"]["type"] == "FeatureCollection"  # the shapes put back in place


def test_the_bundle_is_an_es_module_with_the_traces_the_pages_use():
    text = charts.BUNDLE_PATH.read_text(encoding="utf-8")
    assert text.rstrip().endswith("as default};")  # `import()` takes its default export
    for trace in ('"bar"', '"scatter"', '"choropleth"'):
        assert f"name:{trace}" in text.replace(" ", ""), trace
