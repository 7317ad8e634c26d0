"""Who is looking: every function that returns personal data takes a Viewer."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from analytics.errors import NotFound, PermissionDenied

ROLES = ("coordinator", "trainer", "funder", "admin")
MANAGERS = ("admin", "coordinator")  # an admin can do all a coordinator can, and manages accounts and backups


@dataclass(frozen=True)
class Viewer:
    """A role and its scope: a trainer's groups, a funder's programmes."""

    role: str
    name: str = "demo"
    user_id: int | None = None
    group_ids: frozenset[int] = field(default_factory=frozenset)
    programme_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def sees_personal_data(self) -> bool:
        return self.role in ("admin", "coordinator", "trainer")

    def require_personal_data(self) -> None:
        if not self.sees_personal_data:
            raise PermissionDenied("Funders see aggregated figures only, never personal data.",
                                   key="err.funder_only_aggregates")

    def require_coordinator(self) -> None:
        if self.role not in MANAGERS:
            raise PermissionDenied("Only a coordinator may do this.", key="err.coordinator_only")

    def require_admin(self) -> None:
        if self.role != "admin":
            raise PermissionDenied("Only an admin may do this.", key="access.err.admin_only")

    def can_see_group(self, group_id: int) -> bool:
        return self.role in MANAGERS or (self.role == "trainer" and group_id in self.group_ids)

    def require_group(self, group_id: int) -> None:
        if not self.can_see_group(group_id):
            raise PermissionDenied("This group is not one of yours.", key="err.not_your_group")

    def group_filter(self) -> list[int] | None:
        """Group ids this viewer is limited to, or None for all (coordinator, admin)."""
        if self.role in MANAGERS:
            return None
        if self.role == "trainer":
            return sorted(self.group_ids)
        return []


COORDINATOR = Viewer(role="coordinator", name="coordinator")


def for_user(con: duckdb.DuckDBPyConnection, user_id: int) -> Viewer:
    """The Viewer of a user, with the scope the database gives them."""
    cur = con.cursor()
    row = cur.execute("select name, role, funder_id from users where id = ? and not disabled", [user_id]).fetchone()
    if row is None:
        raise NotFound(f"No user with id {user_id}.")
    name, role, funder_id = row
    groups = cur.execute("select group_id from group_trainers where user_id = ?", [user_id]).fetchall()
    programmes = cur.execute(
        "select programme_id from programme_funders where funder_id = ?", [funder_id]
    ).fetchall()
    return Viewer(
        role=role,
        name=name,
        user_id=user_id,
        group_ids=frozenset(g for (g,) in groups),
        programme_ids=frozenset(p for (p,) in programmes),
    )


def users(con: duckdb.DuckDBPyConnection, role: str) -> list[tuple[int, str]]:
    """(id, name) of the users with a role, for the demo-mode role switcher."""
    rows = con.cursor().execute("select id, name from users where role = ? and not disabled order by name", [role])
    return rows.fetchall()
