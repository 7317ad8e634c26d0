"""Editing by hand: moving a person (with their colleagues) to another group or the
waiting list."""

from __future__ import annotations

import pandas as pd

from analytics.composition.loading import RoundData
from analytics.errors import InvalidInput, InvalidTransition, NotFound


def move(data: RoundData, assignment: dict[int, int | None], application_id: int,
         group_id: int | None) -> dict[int, int | None]:
    """A new assignment with the application, and the colleagues it came with, in `group_id`.

    Refuses to move someone who already attended a session of their group: their
    attendance belongs to that group.
    """
    if application_id not in data.index():
        raise NotFound(f"Application {application_id} is not a candidate in this round.",
                       key="err.cmp_not_candidate", application_id=application_id)
    if group_id is not None and group_id not in data.group_ids:
        raise InvalidInput(f"Group {group_id} is not a group of this round.", key="err.cmp_group", group_id=group_id)
    unit = data.unit_of(application_id)
    people = data.people.set_index("application_id")
    for app in unit:
        row = people.loc[app]
        if bool(row.attended) and not pd.isna(row.group_id) and int(row.group_id) != group_id:
            raise InvalidTransition(
                f"{row['name']} already attended sessions of {data.group_name(int(row.group_id))}; "
                "moving them would separate them from their attendance.",
                key="err.cmp_attended", name=row["name"], group=data.group_name(int(row.group_id)))
    return {**assignment, **{app: group_id for app in unit}}

