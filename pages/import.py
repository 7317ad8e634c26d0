"""Import applications: upload a form export, check the columns and a preview, import,
then see what was rejected and resolve the municipalities that could not be matched."""

import pandas as pd
import streamlit as st

from analytics.selection import applicants
from analytics.store import db
from analytics import intake
from analytics.catalogue import programmes
from ui import context, formatting, intake_view
from ui.feedback import shown_errors
from ui.i18n import t

con = context.connection()
if db.is_empty(con):
    st.page_link("pages/catalogue.py", label=t("catalogue.first_start_link"), icon=":material/edit_calendar:")
context.require_data(con)
viewer = context.viewer()
f = context.filters()
st.title(t("intake.title"))
st.caption(t("intake.caption"))

options = dict(programmes.programme_options(con))
left, right = st.columns(2)
programme_id = left.selectbox(t("filter.programme"), list(options), format_func=options.get, key="intake_programme",
                              index=list(options).index(f.programme_id) if f.programme_id in options else 0)
rounds = dict(programmes.round_options(con, programme_id))
if not rounds:
    st.warning(t("err.no_rounds"))
    st.page_link("pages/catalogue.py", label=t("catalogue.first_start_link"), icon=":material/edit_calendar:")
    st.stop()
round_id = right.selectbox(t("filter.round"), list(rounds), format_func=rounds.get, key="intake_round",
                           index=list(rounds).index(f.round_id) if f.round_id in rounds else 0)

uploads = st.session_state.setdefault("intake_uploads", 0)  # a new key empties the uploader after an import
upload = st.file_uploader(t("intake.upload"), type=["csv", "txt", "tsv", "xlsx"], key=f"intake_file_{uploads}")
if upload is not None:
    data = upload.getvalue()
    table = None
    with shown_errors():
        table = intake.read(data, upload.name)
    if table is not None:
        st.caption(t("intake.read_summary", rows=len(table), format=table.file_format.upper(),
                     encoding=table.encoding or "–", delimiter=intake_view.delimiter_name(table.delimiter),
                     header=table.header_line, empty=table.empty_lines))
        guessed, remembered = intake.mapping_for(con, table.headers, table.rows)
        if remembered:
            st.caption(t("intake.mapping_remembered"))
        st.caption(t("intake.lines.mapping_hint"))
        editor = st.data_editor(
            intake_view.mapping_frame(table, guessed), hide_index=True, width="stretch",
            key=f"intake_mapping_{intake.content_hash(data)[:12]}", disabled=["column", "example"],
            column_config={
                "column": t("intake.col.column"),
                "example": t("intake.col.example"),
                "field": st.column_config.SelectboxColumn(
                    t("intake.col.field"), options=intake_view.FIELD_CHOICES, format_func=intake_view.field_label,
                ),
            },
        )
        mapping = dict(zip(editor.column, editor.field))  # blanks and "niet importeren": not imported
        plan = None
        with shown_errors(), st.spinner(t("intake.planning")):
            plan = intake.plan_import(con, table, mapping, programme_id, round_id)
        if plan is not None:
            intake_view.plan_summary(plan)
            st.subheader(t("intake.preview"))
            st.dataframe(intake_view.preview(con, plan), hide_index=True, width="stretch")
            if plan.rejections:
                st.warning(formatting.count(len(plan.rejections), "intake.will_reject"))
                st.dataframe(intake_view.rejection_frame(pd.DataFrame(
                    [{"line": r.line, "reason": r.reason, "field": r.field, "message": r.message}
                     for r in plan.rejections])), hide_index=True, width="stretch")
            with st.expander(t("intake.lines.plan_title", n=len(table))):
                intake_view.lines_panel(plan.lines(), "intake_plan_lines", "importplan")
            if st.button(formatting.count(len(plan.records), "intake.import_button"), type="primary", key="intake_go"):
                bar = st.progress(0.0, text=t("intake.progress"))
                with shown_errors():
                    result = intake.write_import(con, viewer, plan, upload.name, intake.content_hash(data),
                                                 progress=lambda x, label: bar.progress(x, text=t("intake.progress")))
                    st.session_state["intake_result"] = result.as_dict()
                    st.session_state["intake_lines"] = result.lines
                    st.session_state["intake_uploads"] = uploads + 1
                    st.rerun()
                bar.empty()

result = st.session_state.get("intake_result")
if result:
    intake_view.result_panel(con, result)

st.subheader(t("intake.unresolved_title"))
intake_view.unresolved_panel(con, viewer, round_id)

st.subheader(t("intake.batches"))
batches = intake.batches(con, round_id)
if batches.empty:
    st.caption(t("intake.no_batches"))
else:
    st.dataframe(batches, hide_index=True, width="stretch",
                 column_config={c: t(f"intake.col.{c}") for c in batches.columns})
    chosen = st.selectbox(t("intake.report_for"), list(batches.batch_id), key="intake_report_batch",
                          format_func=lambda b: f"#{b} – {batches.set_index('batch_id').file_name[b]}")
    report = intake_view.rejection_frame(intake.rejections(con, int(chosen)))
    st.download_button(t("intake.download_report"), applicants.to_csv(report),
                       file_name=f"afgewezen-regels-{chosen}.csv", mime="text/csv", key="intake_report_csv")
