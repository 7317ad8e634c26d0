"""Charts drawn with a plotly.js bundle of only the traces the pages use.

Streamlit's own plotly component carries all of plotly.js (4.7 MB); loading and
compiling it takes a 2-core machine's browser 1.7 s on every first load, more than half of
the 3 s a page may take. `static/plotly-academy.min.js` holds only bar, scatter and
choropleth (1.4 MB, about 0.2 s) and is served by Streamlit's static file serving
(`.streamlit/config.toml`). Figures are plotly graph objects, drawn by a small custom
component that takes its font and colours from the app's theme. Where static serving is off
(the app started from another folder without its config), pages fall back to
`st.plotly_chart`, so a chart is never missing.

`preload()` has the browser load the component and the bundle at the start of a page run,
so that they load while the page's queries run.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from functools import cache
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from ui.i18n import language, t

# Streamlit's categorical palette, in the figures' own template (Streamlit's plotly template
# holds placeholder colours that only its own plotly component fills in).
PALETTE = ["#0068c9", "#83c9ff", "#ff2b2b", "#ffabab", "#29b09d", "#7defa1", "#ff8700", "#ffd16a", "#6d3fc0",
           "#d5dae5"]
TEMPLATE = go.layout.Template(layout={"colorway": PALETTE, "hovermode": "closest", "title": {"x": 0.0},
                                      "legend": {"title": {"text": ""}}})

BUNDLE = "plotly-academy.min.js"
BUNDLE_PATH = Path(__file__).resolve().parent.parent / "static" / BUNDLE

# The bundle is an ES module next to Streamlit's own scripts; the browser's module map
# loads and runs it once per page, however many charts import it.
LOADER = """
const academyPlotly = () => {
  const index = document.querySelector('script[type="module"][src*="/static/js/index."]');
  return import(new URL("../../app/static/%(bundle)s", index ? index.src : document.baseURI).href)
    .then((module) => module.default);
};
""" % {"bundle": BUNDLE}

# The theme's colours and font as CSS variables on the component (set by Streamlit).
RENDER = LOADER + """
const themed = (layout, element) => {
  const style = getComputedStyle(element);
  const css = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  const text = css("--st-text-color", "#31333f");
  const grid = css("--st-border-color", "rgba(49, 51, 63, 0.2)");
  const axis = {gridcolor: grid, zerolinecolor: grid, linecolor: grid, automargin: true};
  return {
    ...layout,
    font: {family: css("--st-font", "Source Sans, sans-serif"), color: text, size: 13, ...(layout.font || {})},
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    hoverlabel: {font: {family: css("--st-font", "Source Sans, sans-serif")}},
    xaxis: {...axis, ...(layout.xaxis || {})}, yaxis: {...axis, ...(layout.yaxis || {})},
    autosize: true, width: undefined,
  };
};

export default function ({ parentElement, data }) {
  if (data.preload) {  // see preload(): only fetch and compile the bundle
    academyPlotly().catch(() => null);
    return;
  }
  let box = parentElement.querySelector(".academy-chart");
  if (!box) {
    box = document.createElement("div");
    box.className = "academy-chart";
    parentElement.appendChild(box);
  }
  const figure = JSON.parse(data.figure);
  const shapes = {};
  for (const trace of figure.data) {
    const name = trace.geojson;
    if (typeof name === "string" && data.shapes && name in data.shapes) {
      trace.geojson = shapes[name] || (shapes[name] = JSON.parse(data.shapes[name]));
    }
  }
  box.style.minHeight = ((figure.layout && figure.layout.height) || 450) + "px";
  // One chart per task, in page order: the first is on screen before the others are drawn.
  const draw = (Plotly) => Plotly.react(
    box, figure.data, themed(figure.layout || {}, parentElement),
    {displaylogo: false, responsive: true, ...(data.config || {})},
  );
  const turn = (window.__academyCharts || Promise.resolve())
    .then(() => new Promise((resolve) => setTimeout(resolve, 0)))
    .then(academyPlotly).then(draw);
  window.__academyCharts = turn.catch(() => null);
  turn.catch(() => { box.textContent = data.failed; });
}
"""

HIDDEN = "<style>.st-key-chart_preload {display: none}</style>"


@cache
def _component():
    return st.components.v2.component("academy_chart", js=RENDER, isolate_styles=False)


def available() -> bool:
    """Whether the browser can fetch the bundle: it is there and static serving is on."""
    return BUNDLE_PATH.exists() and bool(st.get_option("server.enableStaticServing"))


def plot(figure: go.Figure, key: str, config: dict | None = None, where=None,
         shapes: dict[str, str] | None = None) -> None:
    """Draw a figure, in `where` (a container or column) if given. `shapes` maps a trace's
    placeholder `geojson` name to the boundaries as JSON text, sent once per chart."""
    with where if where is not None else nullcontext():
        if not available():
            st.plotly_chart(_with_shapes(figure, shapes), width="stretch", config=config or {}, key=key)
            return
        _component()(key=key, data={"figure": pio.to_json(figure, validate=False, engine="json"),
                                    "shapes": shapes or {}, "config": config or {}, "failed": t("app.chart_failed")})


def _with_shapes(figure: go.Figure, shapes: dict[str, str] | None) -> go.Figure:
    for trace in figure.data:
        if isinstance(getattr(trace, "geojson", None), str) and trace.geojson in (shapes or {}):
            trace.geojson = json.loads(shapes[trace.geojson])
    return figure


# --- figures ------------------------------------------------------------------------------
# Built as plotly graph objects rather than with plotly express: express takes 40-90 ms a
# figure on the pages' data, these take 2-5 ms, and a page switch has 1 s in all.

Hover = dict[str, "str | tuple[str, str]"]  # column -> label, or (label, d3 format)


def _hover(hover: Hover, start: int = 0) -> list[str]:
    """Hover lines for the `hover` columns, read from customdata from position `start`."""
    lines = []
    for i, (column, spec) in enumerate(hover.items(), start=start):
        label, fmt = spec if isinstance(spec, tuple) else (spec, "")
        lines.append(f"{label}: %{{customdata[{i}]{':' + fmt if fmt else ''}}}")
    return lines


def _layout(title: str, height: int | None, **layout) -> dict:
    """`separators`: decimal and thousands marks of the language (Dutch 1.234,5)."""
    return {"template": TEMPLATE, "title": {"text": title}, "height": height,
            "separators": ",." if language() == "nl" else ".,",
            "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}, **layout}


def unique(labels):
    """Category labels made unique, so each row keeps its own bar: a repeat gets a number."""
    seen = labels.groupby(labels).cumcount()
    return labels.where(seen == 0, labels + " (" + (seen + 1).astype(str) + ")")


def bars(frame, category: str, values: dict[str, str], *, title: str = "", horizontal: bool = True,
         hover: Hover | None = None, value_format: str = "", height: int | None = None,
         barmode: str = "group") -> go.Figure:
    """One bar per row of `frame` for each column in `values` (column -> legend name),
    grouped; categories keep the frame's order (top to bottom when horizontal)."""
    first, value = ("y", "x") if horizontal else ("x", "y")
    hover = hover or {}
    shown = f"%{{{value}{':' + value_format if value_format else ''}}}"
    template = "<br>".join([f"%{{{first}}}", f"%{{fullData.name}}: {shown}", *_hover(hover)]) + "<extra></extra>"
    custom = frame[list(hover)].to_numpy() if hover else None
    traces = [go.Bar({first: frame[category], value: frame[column], "name": name, "orientation": "h" if horizontal
                      else "v", "customdata": custom, "hovertemplate": template})
              for column, name in values.items()]
    axis = {"tickformat": value_format if value_format.endswith("%") else None}
    figure = go.Figure(traces, _layout(title, height, barmode=barmode, showlegend=len(values) > 1))
    figure.update_layout({f"{value}axis": axis, f"{first}axis": {"autorange": "reversed" if horizontal else None,
                                                                 "type": "category"}})
    return figure


def lines(frame, x: str, y: str, group: str, *, title: str, x_title: str, y_title: str, label: str | None = None,
          emphasise=None, step: bool = True, height: int | None = None) -> go.Figure:
    """One line per value of `group` (in the frame's order), named by its `label` column,
    the one of group `emphasise` drawn thicker."""
    traces = []
    for key, rows in frame.groupby(group, sort=False):
        name = rows[label].iloc[0] if label else key
        traces.append(go.Scatter(
            x=rows[x], y=rows[y], name=str(name), mode="lines", line={"shape": "hv" if step else "linear",
                                                                      "width": 4 if key == emphasise else 1.5},
            hovertemplate=f"{name}<br>{x_title}: %{{x}}<br>{y_title}: %{{y}}<extra></extra>",
        ))
    return go.Figure(traces, _layout(title, height, xaxis={"title": {"text": x_title}},
                                     yaxis={"title": {"text": y_title}}))


def choropleth(frame, location: str, value: str, shapes: str, *, name: str, title: str, hover: Hover,
               colorbar: str, height: int = 620, colorscale: str = "Blues") -> go.Figure:
    """Areas coloured by `value`; `shapes` names the boundaries passed to `plot`."""
    trace = go.Choropleth(
        geojson=shapes, featureidkey="properties.code", locations=frame[location], z=frame[value],
        customdata=frame[[name] + list(hover)].to_numpy(),
        hovertemplate="<br>".join(["<b>%{customdata[0]}</b>", *_hover(hover, 1)]) + "<extra></extra>",
        colorscale=colorscale, colorbar={"title": {"text": colorbar}}, marker={"line": {"width": 0.3}},
    )
    figure = go.Figure([trace], _layout(title, height, margin={"l": 0, "r": 0, "t": 40, "b": 0}))
    figure.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    return figure


def greyed(figure: go.Figure, frame, location: str, shapes: str, *, name: str, label: str) -> go.Figure:
    """Add the areas of `frame` in grey, named in the legend and on hover by `label`
    (for a funder: reached, but too few to show)."""
    return figure.add_trace(go.Choropleth(
        geojson=shapes, featureidkey="properties.code", locations=frame[location], z=[1] * len(frame),
        colorscale=[[0, "#cccccc"], [1, "#cccccc"]], showscale=False, text=frame[name],
        hovertemplate="%{text}: " + label + "<extra></extra>", name=label, showlegend=True,
    ))


def marker(figure: go.Figure, at: float, text: str, axis: str = "x") -> go.Figure:
    """A dotted line across the plot at `at` on `axis`, labelled."""
    add = figure.add_vline if axis == "x" else figure.add_hline
    return add(at, line_dash="dot", annotation_text=text)


def preload() -> None:
    """Have the browser fetch Streamlit's component script, this component's script and the
    bundle while the page's queries run, not when the first chart arrives: an invisible
    instance of the chart component at the top of the sidebar, which only imports the bundle.
    (A module preload link in markdown does not work: Streamlit's markdown drops it.)"""
    if not available():
        return
    st.html(HIDDEN)
    with st.sidebar.container(key="chart_preload"):
        _component()(key="chart_preload_component", data={"preload": True})
