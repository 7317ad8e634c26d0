"""Weighted criteria, several reviewers, mean or median, blind review."""

from __future__ import annotations

import pytest

from analytics.selection import applicants
from analytics.selection import review
from analytics.errors import InvalidInput
from analytics.access.viewer import Viewer
from tests.test_selection import apps  # noqa: F401 - fixtures
from tests.test_intake import academy  # noqa: F401

ANNA, BRAM = Viewer(role="coordinator", name="Anna"), Viewer(role="coordinator", name="Bram")


def _criteria(con, programme):
    review.save_criteria(con, ANNA, programme, [
        {"name": n, "weight": w, "description": d} for n, w, d in review.DEFAULT_CRITERIA])
    return review.criteria(con, programme)


def test_criteria_are_saved_edited_and_archived_not_deleted(apps):  # noqa: F811
    con, programme = apps.con, apps.programme
    crit = _criteria(con, programme)
    assert crit[["name", "weight"]].values.tolist() == [
        ["Passende functie", 2.0], ["Motivatie", 2.0], ["Eerste aanmelding uit deze gemeente", 1.0]]
    first = int(crit.id[0])
    review.score(con, ANNA, apps.ids[0], {first: 4})
    rows = crit.to_dict("records")
    rows[1]["weight"] = 3.0
    review.save_criteria(con, ANNA, programme, rows[1:] + [{"id": None, "name": "Domein", "weight": 1}])
    assert review.criteria(con, programme)[["name", "weight"]].values.tolist() == [
        ["Motivatie", 3.0], ["Eerste aanmelding uit deze gemeente", 1.0], ["Domein", 1.0]]
    assert review.criteria(con, programme, archived=True).name.tolist()[0] == "Passende functie"
    with pytest.raises(InvalidInput):
        review.save_criteria(con, ANNA, programme, [{"name": "A", "weight": 0}])
    with pytest.raises(InvalidInput):
        review.save_criteria(con, ANNA, programme, [{"name": "A", "weight": 1}, {"name": "a", "weight": 2}])


def test_weighted_scores_aggregate_by_mean_or_median(apps):  # noqa: F811
    con, programme, app = apps.con, apps.programme, apps.ids[0]
    fit, motivation, first_time = (int(i) for i in _criteria(con, programme).id)
    review.score(con, ANNA, app, {fit: 5, motivation: 3, first_time: 1})   # (10 + 6 + 1) / 5 = 3.4
    review.score(con, BRAM, app, {fit: 2, motivation: 2})                 # (4 + 4) / 4 = 2.0
    carl = Viewer(role="coordinator", name="Carl")
    review.score(con, carl, app, {fit: 5})                                # 5.0
    summary = review.summary(con, apps.round)
    assert summary.to_dict("records") == [{"application_id": app, "reviewers": 3, "score": pytest.approx(3.4666, 1e-3)}]
    review.save_settings(con, ANNA, programme, "median", blind=False)
    assert review.summary(con, apps.round).score.tolist() == [pytest.approx(3.4)]
    review.score(con, carl, app, {fit: None})  # cleared
    assert review.summary(con, apps.round).reviewers.tolist() == [2]
    with pytest.raises(InvalidInput):
        review.score(con, ANNA, app, {fit: 6})
    explored = applicants.explore(con, ANNA, applicants.Filter(application_ids=(app,)))
    assert (explored.score[0], explored.reviewers[0]) == (pytest.approx(2.7), 2)


def test_blind_review_hides_who_and_where(apps):  # noqa: F811
    con = apps.con
    review.save_settings(con, ANNA, apps.programme, "mean", blind=True)
    assert review.settings(con, apps.programme) == {"aggregate": "mean", "blind": True}
    seen = applicants.detail(con, ANNA, apps.ids[0], blind=True)["application"]
    assert {k: seen[k] for k in applicants.BLIND_COLUMNS} == dict.fromkeys(applicants.BLIND_COLUMNS)
    assert seen["status"] == "received"
