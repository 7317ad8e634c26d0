"""Trainer pages on a tablet: the sidebar folded away below 1,000 px.

Streamlit's `initial_sidebar_state="auto"` folds the sidebar only at 768 px and below (its
`md` breakpoint), and the setting is one for the whole app. On an 800 px tablet the sidebar
would take 300 px of the room's screen, so a trainer page folds it itself when it opens on
a narrow window, through the sidebar's own button. The button remembers a fold in the
browser (`stSidebarCollapsed-*` in localStorage); that memory is put back as it was, so a
coordinator's pages, or a wide window later, open as before.
"""

import streamlit as st

NARROW_PX = 1000

_SCRIPT = """<script>
(() => {
  if (window.innerWidth >= %d) return;
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  if (!sidebar || sidebar.getAttribute("data-collapsed") !== "false") return;
  const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button')
    || sidebar.querySelector('button[aria-expanded="true"]');
  if (!button) return;
  const kept = Object.keys(localStorage).filter(k => k.startsWith("stSidebarCollapsed-"))
    .map(k => [k, localStorage.getItem(k)]);
  button.click();
  setTimeout(() => {
    Object.keys(localStorage).filter(k => k.startsWith("stSidebarCollapsed-"))
      .forEach(k => localStorage.removeItem(k));
    kept.forEach(([k, v]) => localStorage.setItem(k, v));
  }, 0);
})();
</script>""" % NARROW_PX


def fold_sidebar_when_narrow() -> None:
    """Fold the sidebar once when this page opens in a window narrower than NARROW_PX."""
    st.html(_SCRIPT, unsafe_allow_javascript=True)
