"""Which rows a report may read: the shared filters and the viewer's scope as SQL.

A funder sees only the programmes they fund; everyone else sees all (aggregates are not
personal data). The conditions are written with only the parts that apply, so DuckDB can
skip row groups (the facts are kept in round order, the group rates in programme order).
"""

from __future__ import annotations

from analytics.access.viewer import Viewer
from analytics.vocabulary import participant, round_year


def where(viewer: Viewer, programme_id=None, round_id=None, year=None, alias: str = "r") -> tuple[str, list]:
    """The shared filters and the viewer's scope as a condition on `rounds` (as `alias`),
    and its parameters; only the parts that apply are written. A funder sees only the
    programmes they fund; everyone else sees all (aggregates are not personal data)."""
    return _condition(viewer, programme_id, f"{alias}.id", round_id, alias, year)


def chosen_facts(viewer: Viewer, programme_id=None, round_id=None, year=None) -> tuple[str, list]:
    """`from application_facts f where ...` for the shared filters and the viewer's scope,
    with only the parts that apply, so DuckDB can skip row groups (the facts are kept in
    round order); a year is the facts' own copy of their round's year."""
    return _chosen("application_facts", "f", viewer, programme_id, round_id, year)


def chosen_groups(viewer: Viewer, programme_id=None, round_id=None, year=None) -> tuple[str, list]:
    """`from group_rates g where ...`, as `chosen_facts` (kept in programme order)."""
    return _chosen("group_rates", "g", viewer, programme_id, round_id, year)


def _chosen(table, alias, viewer, programme_id, round_id, year) -> tuple[str, list]:
    condition, params = _condition(viewer, programme_id, f"{alias}.round_id", round_id, alias, None)
    if year is None:
        return f"from {table} {alias} where {condition}", params
    return f"from {table} {alias} where {condition} and {alias}.year = ?", params + [year]


def _condition(viewer, programme_id, round_key, round_id, alias, year) -> tuple[str, list]:
    parts, params = ["true"], []
    allowed = scope(viewer)
    if allowed is not None:
        parts.append(f"{alias}.programme_id in (select unnest(?::integer[]))")
        params.append(allowed)
    for column, value in ((f"{alias}.programme_id", programme_id), (round_key, round_id)):
        if value is not None:
            parts.append(f"{column} = ?")
            params.append(value)
    if year is not None:
        parts.append(f"{round_year(alias)} = ?")
        params.append(year)
    return " and ".join(parts), params


def people_per(column: str, viewer: Viewer, programme_id=None, round_id=None, year=None) -> tuple[str, list]:
    """SQL and parameters of a CTE `people_per(key, applicants, participants)`: per value of
    `column` (municipality_code or role_category), the people with an application, and
    with a place, in the chosen rounds; each person once.

    Within one round a person has one application, so a plain count is exact. Without
    filters, or with only a programme or only a year, the first-application flags pick one
    row per person. Otherwise (a programme and a year, a funder's programmes) people with
    one application are counted plainly and only repeat applicants with a distinct count.
    """
    if column not in ("municipality_code", "role_category"):
        raise ValueError(column)
    chosen, params = chosen_facts(viewer, programme_id, round_id, year)
    plain = scope(viewer) is None and (year is None or programme_id is None)
    if round_id is not None or plain:
        if round_id is not None:
            first, place = "true", participant("f", facts=True)
        elif year is not None:
            first, place = "f.first_in_year", "f.first_place_in_year"
        elif programme_id is not None:
            first, place = "f.first_in_programme", "f.first_place_in_programme"
        else:
            first, place = "f.first_application", "f.first_place"
        sql = f"""
            people_per as (
                select f.{column} as key, count(*) filter (where {first}) as applicants,
                       count(*) filter (where {place}) as participants
                {chosen}
                group by f.{column}
            )
        """
        return sql, params
    # one pass: single applicants fall together per key (who is null), repeat ones per person
    sql = f"""
        people_per as (
            select key, sum(case when who is null then applications else 1 end)::bigint as applicants,
                   sum(case when who is null then places else (places > 0)::int end)::bigint as participants
            from (
                select f.{column} as key, case when f.repeat_person then f.person_id end as who,
                       count(*) as applications, count(*) filter (where {participant("f", facts=True)}) as places
                {chosen}
                group by all
            )
            group by key
        )
    """
    return sql, params


def scope(viewer: Viewer) -> list[int] | None:
    """Programme ids a funder may see; None for everyone else (all)."""
    return sorted(viewer.programme_ids) if viewer.role == "funder" else None
