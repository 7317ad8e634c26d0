"""The attendance statuses and the two states of a cell without one."""

STATUSES = ("present", "absent", "excused", "late")
ATTENDED = ("present", "late")
MISSED = ("absent", "excused")
UNMARKED = "unmarked"          # expected, no mark (yet)
NOT_EXPECTED = "not_expected"  # before they joined, after they were replaced, or withdrawn
