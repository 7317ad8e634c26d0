"""One round as data: its groups and candidates, with what the database already decided
(places, attendance, colleague links, who met before)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import datetime

import duckdb
import numpy as np
import pandas as pd

from analytics.access.viewer import Viewer
from analytics.composition.wording import text
from analytics.errors import NotFound
from analytics.vocabulary import CANDIDATE_STATUSES


@dataclass
class RoundData:
    """One round's groups and candidates, with what the database already decided.

    `people` has one row per candidate application, in order of application (row i is
    element i of the solver); `unit` gives colleagues who applied together a shared id.
    """

    round_id: int
    round_name: str
    programme: str
    format: str
    groups: pd.DataFrame
    people: pd.DataFrame
    unit: np.ndarray
    met_before: list[tuple[int, int]]   # index pairs that shared a group in an earlier round
    first_session: datetime | None = None  # when the round's first session starts (or started)

    def started(self, now: datetime | None = None) -> bool:
        """The round has begun: its first session has started, or attendance was taken."""
        now = now or datetime.now()
        return bool(self.people.attended.any()) or (self.first_session is not None and self.first_session <= now)

    @property
    def n(self) -> int:
        return len(self.people)

    @property
    def m(self) -> int:
        return len(self.groups)

    # Derived lookups, computed once: a RoundData is not changed after loading.
    @cached_property
    def group_ids(self) -> list[int]:
        return [int(g) for g in self.groups.group_id]

    @cached_property
    def application_ids(self) -> list[int]:
        return [int(a) for a in self.people.application_id]

    @cached_property
    def _index(self) -> dict[int, int]:
        return {a: i for i, a in enumerate(self.application_ids)}

    @cached_property
    def _group_names(self) -> dict[int, str]:
        return {int(g): str(name) for g, name in zip(self.groups.group_id, self.groups.name)}

    @cached_property
    def municipality_codes(self) -> np.ndarray:
        """Each candidate's municipality as an integer code, -1 when unknown."""
        return pd.factorize(self.people.municipality_code)[0]

    @cached_property
    def preferred(self) -> np.ndarray:
        """Each candidate's preferred group id, -1 for none."""
        return self.people.preferred_group_id.astype("Int64").fillna(-1).to_numpy(dtype=np.int64)

    def coded(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, values) of a column of `people`: each row's value as an integer, -1 when
        missing; computed once per column (judging a board runs on these)."""
        cache = self.__dict__.setdefault("_coded", {})
        if column not in cache:
            codes, values = pd.factorize(self.people[column])
            cache[column] = (np.asarray(codes), np.asarray(values, dtype=object))
        return cache[column]

    def index(self) -> dict[int, int]:
        """Application id -> row (element) number; do not change the dict."""
        return self._index

    def group_name(self, group_id: int | None, lang: str = "en") -> str:
        if group_id is None:
            return text("cmp.waitlist", lang)
        return self._group_names[group_id]

    @cached_property
    def _units(self) -> dict[int, list[int]]:
        units: dict[int, list[int]] = {}
        for app, u in zip(self.application_ids, self.unit.tolist()):
            if u >= 0:
                units.setdefault(u, []).append(app)
        return units

    def unit_of(self, application_id: int) -> list[int]:
        """The application and the colleagues it must stay with."""
        u = int(self.unit[self._index[application_id]])
        return [application_id] if u < 0 else list(self._units[u])

    def current(self) -> dict[int, int | None]:
        """The published assignment: each candidate's group now, or None."""
        return {int(a): (None if pd.isna(g) else int(g))
                for a, g in zip(self.people.application_id, self.people.group_id)}


def round_choices(con: duckdb.DuckDBPyConnection, viewer: Viewer, programme_id: int | None = None,
                  limit: int = 500) -> list[tuple[int, str, int]]:
    """(round id, "programme – round", candidates) of the rounds that have groups, newest first."""
    viewer.require_coordinator()
    sql = """
        select r.id, p.name || ' – ' || r.name,
               count(a.id) filter (where a.status in (select unnest(?::varchar[])))
        from rounds r
        join programmes p on p.id = r.programme_id
        left join applications a on a.round_id = r.id
        where (? is null or r.programme_id = ?) and exists (select 1 from groups g where g.round_id = r.id)
        group by r.id, p.name, r.name, r.application_deadline
        order by r.application_deadline desc, r.id desc
        limit ?
    """
    params = [list(CANDIDATE_STATUSES), programme_id, programme_id, limit]
    return [(int(r), label, int(n)) for r, label, n in con.cursor().execute(sql, params).fetchall()]


def load_round(con: duckdb.DuckDBPyConnection, viewer: Viewer, round_id: int) -> RoundData:
    """The groups and candidates (received, selected, waitlisted, confirmed) of a round."""
    viewer.require_coordinator()
    cur = con.cursor()
    head = cur.execute(
        """
        select r.name, p.name, p.format, p.id, r.application_deadline
        from rounds r join programmes p on p.id = r.programme_id where r.id = ?
        """, [round_id]).fetchone()
    if head is None:
        raise NotFound(f"No round with id {round_id}.", key="err.cmp_no_round", round_id=round_id)
    round_name, programme, fmt, programme_id, deadline = head
    groups = cur.execute(
        """
        select id as group_id, name, min_capacity, max_capacity, weekday, mode, location
        from groups where round_id = ? order by name, id
        """, [round_id]).df()
    people = cur.execute(
        """
        with earlier as (
            select distinct pe.municipality_code
            from assignments s
            join applications a on a.id = s.application_id
            join (select p.* replace (pm.municipality_code as municipality_code) from people p join person_municipality pm on pm.person_id = p.id) pe on pe.id = a.person_id
            join rounds r on r.id = a.round_id
            where r.programme_id = ? and r.application_deadline < ? and pe.municipality_code is not null
        ), attended as (
            select distinct application_id from attendance
        )
        select a.id as application_id, a.person_id, pe.first_name || ' ' || pe.last_name as name,
               a.status, a.submitted_at, a.preferred_group_id, a.waitlist_position,
               pe.municipality_code, coalesce(m.name, pe.municipality_raw) as municipality,
               pv.name as province, m.size_class, pe.role_category, pe.job_title, pe.domain,
               case when pe.organisation is null then null
                    when lower(pe.organisation) like 'gemeente%' then 'gemeente' else 'other' end as org_type,
               case when pe.municipality_code is null then null
                    when e.municipality_code is null then 'new' else 'returning' end as returning,
               s.group_id, t.application_id is not null as attended
        from applications a
        join (select p.* replace (pm.municipality_code as municipality_code) from people p join person_municipality pm on pm.person_id = p.id) pe on pe.id = a.person_id
        left join municipalities m on m.code = pe.municipality_code
        left join provinces pv on pv.code = m.province_code
        left join earlier e on e.municipality_code = pe.municipality_code
        left join assignments s on s.application_id = a.id
        left join attended t on t.application_id = a.id
        where a.round_id = ? and a.status in (select unnest(?::varchar[]))
        order by a.submitted_at, a.id
        """, [programme_id, deadline, round_id, list(CANDIDATE_STATUSES)]).df()
    people["group_id"] = people.group_id.astype("Int64")
    people["preferred_group_id"] = people.preferred_group_id.astype("Int64")
    ids = [int(a) for a in people.application_id]
    links = cur.execute(
        """
        select application_id, colleague_application_id from application_links
        where application_id in (select unnest(?::integer[]))
          and colleague_application_id in (select unnest(?::integer[]))
        """, [ids, ids]).fetchall()
    persons = [int(p) for p in people.person_id]
    met = cur.execute(
        """
        with placed as (
            select a.person_id, s.group_id from assignments s
            join applications a on a.id = s.application_id
            where a.round_id <> ? and a.person_id in (select unnest(?::integer[]))
        )
        select distinct x.person_id, y.person_id from placed x
        join placed y on y.group_id = x.group_id and x.person_id < y.person_id
        """, [round_id, persons]).fetchall()
    position = {p: i for i, p in enumerate(persons)}
    first_session = cur.execute(
        "select min(s.starts_at) from sessions s join groups g on g.id = s.group_id where g.round_id = ?",
        [round_id]).fetchone()[0]
    return RoundData(
        round_id=round_id, round_name=round_name, programme=programme, format=fmt,
        groups=groups, people=people, unit=_units(ids, links),
        met_before=[(position[x], position[y]) for x, y in met], first_session=first_session,
    )


def _units(ids: list[int], links: list[tuple[int, int]]) -> np.ndarray:
    """Connected components of the colleague links; -1 for someone who came alone."""
    parent = {a: a for a in ids}

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in links:
        parent[root(a)] = root(b)
    roots = [root(a) for a in ids]
    sizes = pd.Series(roots).value_counts()
    numbers: dict[int, int] = {}
    unit = np.full(len(ids), -1, dtype=np.int64)
    for i, r in enumerate(roots):
        if sizes[r] > 1:
            unit[i] = numbers.setdefault(r, len(numbers))
    return unit

