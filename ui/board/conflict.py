"""A draft saved by another coordinator: the board's message, which keeps the coordinator's
own work in view instead of replacing it (as `ui.feedback.conflict` says of other pages)."""

from __future__ import annotations

from analytics.errors import Conflict
from ui import formatting
from ui.i18n import catalogue, t


def draft_message(exc: Conflict) -> str:
    """Who saved the round's draft, when, and how many people it places now."""
    p = exc.params
    if not p.get("actor"):
        return t("conflict.board.draft_unknown")
    known = [(c, b, a) for c, b, a in p.get("fields") or [] if f"conflict.field.{c}" in catalogue()]
    what = "; ".join(t("conflict.change", field=t(f"conflict.field.{c}"), before=formatting.text(b),
                       after=formatting.text(a)) for c, b, a in known)
    return t("conflict.board.draft", who=p["actor"], at=t("conflict.at", moment=formatting.moment(p["at"])),
             what=t("conflict.intro") + what if what else "")
