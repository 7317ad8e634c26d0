"""Drawing the import page's parts: the column mapping, the plan, the result and the
municipalities still to resolve. Analytics does the work; this only lays it out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.selection import applicants
from analytics import intake
from analytics.reference import matching as municipality_match
from analytics.intake.fields import FIELD_ORDER, SKIP
from analytics.intake.files import Table
from ui import formatting
from ui.feedback import shown_errors
from ui.i18n import labels, t

DELIMITERS = {";": "intake.delim.semicolon", ",": "intake.delim.comma", "\t": "intake.delim.tab",
              "|": "intake.delim.pipe"}


def delimiter_name(delimiter: str | None) -> str:
    return t(DELIMITERS[delimiter]) if delimiter in DELIMITERS else "–"


def mapping_frame(table: Table, mapping: dict) -> pd.DataFrame:
    """One row per column of the file: its header, a first non-empty value, the field."""
    def example(header: str) -> str:
        return next((row.get(header, "") for row in table.rows[:50] if row.get(header, "")), "")[:60]

    return pd.DataFrame({
        "column": table.headers,
        "example": [example(h) for h in table.headers],
        "field": [mapping.get(h) or SKIP for h in table.headers],
    })


def field_label(value) -> str:
    return t("intake.lines.skip") if not isinstance(value, str) or value == SKIP else t(f"intake.field.{value}")


FIELD_CHOICES = [SKIP, *FIELD_ORDER]  # "niet importeren" first: a column nobody named is not imported


def lines_frame(lines: pd.DataFrame) -> pd.DataFrame:
    """Every line of the file with what happened to it, in the user's language."""
    if lines is None or lines.empty:
        return pd.DataFrame()
    outcomes = {o: t(f"intake.outcome.{o}") for o in lines["outcome"].unique()}
    reasons = {r: t(f"intake.reason.{r}") for r in lines["reason"].dropna().unique()}

    def what(outcome, reason, duplicate_of) -> str:
        if outcome == "duplicate":
            return t("intake.lines.duplicate_of", line=int(duplicate_of))
        if outcome == "rejected":
            return f"{outcomes[outcome]}: {reasons.get(reason, '')}"
        return outcomes[outcome]

    what = [what(o, r, d) for o, r, d in zip(lines["outcome"], lines["reason"], lines["duplicate_of"])]
    return pd.DataFrame({
        t("intake.col.line"): lines["line"],
        t("intake.lines.what"): what,
        t("intake.col.email"): lines["email"].fillna(""),
        t("intake.col.name"): lines["name"].fillna(""),
        t("intake.col.message"): lines["message"].fillna(""),
        t("intake.col.unresolved"): lines["unresolved"].map({True: t("intake.lines.yes"), False: ""}),
        t("intake.field.motivation"): lines["motivation"].fillna(""),
    })


def lines_panel(lines: pd.DataFrame, key: str, name: str, shown: int = 500) -> None:
    """The per-line account: a table (the first `shown` lines) and the whole as a CSV."""
    frame = lines_frame(lines)
    if frame.empty:
        return
    st.dataframe(frame.head(shown), hide_index=True, width="stretch", key=f"{key}_table")
    if len(frame) > shown:
        st.caption(t("intake.lines.limit", n=shown, total=len(frame)))
    st.download_button(t("intake.lines.download"), lambda: applicants.to_csv(frame), mime="text/csv",
                       file_name=f"{name}.csv", key=f"{key}_csv", on_click="ignore")


def plan_summary(plan: intake.Plan) -> None:
    figures = [("rows", len(plan.table)), ("new", plan.count("new")), ("update", plan.count("update")),
               ("unchanged", plan.count("unchanged")), ("duplicates", plan.duplicates),
               ("rejected", len(plan.rejections)), ("unresolved", plan.unresolved)]
    for column, (key, value) in zip(st.columns(len(figures)), figures):
        column.metric(t(f"intake.count.{key}"), value)


def preview(con, plan: intake.Plan, rows: int = 20) -> pd.DataFrame:
    """The first records as they will be written, with what will happen to each."""
    if plan.records.empty:
        return pd.DataFrame()
    shown = plan.records.head(rows)
    towns = municipality_match.names(con)
    frame = pd.DataFrame({
        t("intake.col.line"): shown["line"],
        t("intake.col.action"): labels(shown["action"], "intake.action"),
        t("intake.field.email"): shown["email"],
        t("intake.col.name"): (shown["first_name"].fillna("") + " " + shown["last_name"].fillna("")).str.strip(),
        t("intake.field.municipality"): shown["municipality_raw"],
        t("intake.col.municipality_code"): shown["municipality_code"].map(towns).fillna(t("intake.unresolved")),
        t("intake.field.job_title"): shown["job_title"],
        t("intake.col.domain"): labels(shown["domain"], "domain"),
    })
    return frame


def rejection_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Rejections with the reason in the user's language, the row's cells after them."""
    if frame.empty:
        return frame
    out = frame.copy()
    out["reason"] = labels(out["reason"], "intake.reason")
    return out.rename(columns={"line": t("intake.col.line"), "reason": t("intake.col.reason"),
                               "field": t("intake.col.field"), "message": t("intake.col.message")})


def result_panel(con, result: dict) -> None:
    st.success(t("intake.done", file=result["file"], rows=result["rows"], imported=result["imported"],
                 updated=result["updated"], unchanged=result["unchanged"], rejected=result["rejected"],
                 unresolved=result["unresolved"], links=result["links"]))
    if result.get("previous_batch_id"):
        st.info(t("intake.same_file", batch=result["previous_batch_id"]))
    lines = st.session_state.get("intake_lines")
    if lines is not None and not lines.empty:
        with st.expander(t("intake.lines.title", n=len(lines))):
            lines_panel(lines, "intake_result_lines", f"importverslag-{result['batch_id']}")
    if result["changes"]:
        with st.expander(t("intake.changes", n=len(result["changes"]))):
            changes = pd.DataFrame(result["changes"])
            changes["field"] = labels(changes["field"], "intake.field")
            st.dataframe(changes, hide_index=True, width="stretch",
                         column_config={c: t(f"intake.col.{c}") for c in changes.columns})
    if result["rejected"]:
        report = rejection_frame(intake.rejections(con, result["batch_id"]))
        with st.expander(t("intake.rejected_rows", n=result["rejected"]), expanded=True):
            st.dataframe(report, hide_index=True, width="stretch")
            left, right = st.columns(2)
            left.download_button(t("intake.download_report"), lambda: applicants.to_csv(report), mime="text/csv",
                                 file_name=f"afgewezen-regels-{result['batch_id']}.csv", key="intake_result_csv")
            right.download_button(t("intake.download_report_xlsx"), lambda: applicants.to_xlsx(report, "Afgewezen"),
                                  file_name=f"afgewezen-regels-{result['batch_id']}.xlsx", key="intake_result_xlsx")


def unresolved_panel(con, viewer, round_id: int) -> None:
    """Each municipality as written that matched nothing for sure: choose the right one.

    The default is to leave it unresolved; a suggestion is preselected only when it
    reaches the matching threshold, and resolving asks to confirm the municipality."""
    rows = intake.unresolved(con, round_id)
    if rows.empty:
        st.caption(t("intake.all_resolved"))
        return
    names = municipality_match.names(con)
    pending = st.session_state.get("intake_confirm")
    for i, row in enumerate(rows.itertuples()):
        suggested = [code for code, _, _ in row.suggestions]
        scores = {code: score for code, _, score in row.suggestions}
        choices = [None] + suggested + [c for c in names if c not in scores]
        default = choices.index(row.proposal) if row.proposal in choices else 0
        left, middle, right = st.columns([2, 3, 1], vertical_alignment="bottom")
        left.markdown(formatting.count(row.people, "intake.written_as", written=row.written or t("intake.empty_value")))
        code = middle.selectbox(
            t("intake.choose_municipality"), choices, index=default, key=f"intake_resolve_{i}_{row.written}",
            format_func=lambda c: (t("intake.lines.leave_unresolved") if c is None
                                   else f"{names[c]} ({scores[c]:.0f})" if c in scores else names[c]),
        )
        if right.button(t("intake.resolve"), key=f"intake_resolve_go_{i}_{row.written}", disabled=code is None):
            st.session_state["intake_confirm"] = {"written": row.written, "people": int(row.people),
                                                  "person_ids": [int(p) for p in row.person_ids], "code": code}
            st.rerun()
        if pending and pending["written"] == row.written:
            _confirm_resolution(con, viewer, pending, names)


def _confirm_resolution(con, viewer, pending: dict, names: dict) -> None:
    st.warning(t("intake.lines.confirm_resolve", n=pending["people"], name=names[pending["code"]],
                 written=pending["written"] or t("intake.empty_value")))
    yes, no, _ = st.columns([1, 1, 3])
    if yes.button(t("intake.lines.confirm_yes"), type="primary", key="intake_confirm_yes"):
        with shown_errors():
            changed = intake.resolve_municipality(con, viewer, pending["person_ids"], pending["code"])
            st.session_state.pop("intake_confirm", None)
            st.toast(formatting.count(changed, "intake.resolved", name=names[pending["code"]]))
            st.rerun()
    if no.button(t("intake.lines.confirm_no"), key="intake_confirm_no"):
        st.session_state.pop("intake_confirm", None)
        st.rerun()
