"""A page's tabs, of which only the open one is drawn, kept in the URL (`view=`).

A data grid costs a 2-core machine's browser about half a second the first time a page
shows one (1.2 MB of script to load and compile, then the grid itself). Tabs that each
page draws only when open keep the first screen to its main chart; the rest is a click
away, and a link can open any tab. The URL holds a stable name, not the translated label,
so a bookmark works in either language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from ui.i18n import language, t


def tabs(page: str, names: Sequence[str], default: str) -> dict:
    """Tabs labelled `t(f"{page}.view_{name}")`, by name; each has `.open`. The open one is
    the URL's `view`, else `default`, until the user picks another."""
    state = f"{page}_view"
    if state not in st.session_state:
        wanted = st.query_params.get("view")
        st.session_state[state] = wanted if wanted in names else default
    labels = {t(f"{page}.view_{name}"): name for name in names}
    key = f"{page}_tabs_{language()}"  # translated labels: another language is another widget
    containers = st.tabs(list(labels), key=key, default=t(f"{page}.view_{st.session_state[state]}"),
                         on_change=_keep, args=(key, state, labels))
    return dict(zip(names, containers))


def _keep(key: str, state: str, labels: dict[str, str]) -> None:
    view = labels.get(st.session_state[key])
    if view:
        st.session_state[state] = view
        st.query_params["view"] = view


def show(page: str, drawers: dict[str, Callable[[], None]], default: str) -> None:
    """`tabs` for the names of `drawers`, drawing only the open one, inside its tab."""
    for name, tab in tabs(page, list(drawers), default).items():
        with tab:
            if tab.open:
                drawers[name]()
