"""Attendance per session, walk-ins, certificates, sign-in sheets.

Modules by concern: `statuses` (the words), `grid` (who is expected at which session, their marks),
`choice` (which group and session a page opens on), `marking` (a tap, everyone present),
`walk_ins`, `overview` (matrix, rates, head counts, corrections), `certificates`, `export`.
"""

from analytics.attendance import certificates  # noqa: F401
from analytics.attendance.choice import (GroupChoice, TrainerDay, default_group, default_session,  # noqa: F401
                                         group_choice, trainer_day)
from analytics.attendance.marking import (BACKOFF_SECONDS, NOTE_MAX, RETRIES, Busy, Marked, mark,  # noqa: F401
                                          mark_all_present, set_note)
from analytics.attendance.overview import (GroupAttendance, corrections, daily_head_counts,  # noqa: F401
                                           overview)
from analytics.attendance.grid import group_info, mark_of, roster, sessions  # noqa: F401
from analytics.attendance.statuses import (ATTENDED, COLOURS, ICONS, MISSED, NOT_EXPECTED, STATUSES,  # noqa: F401
                                            SYMBOLS, TAP_ORDER, UNMARKED)
from analytics.attendance.walk_ins import EMAIL, WalkIn, add_walk_in  # noqa: F401
