"""The attendance statuses, the two states of a cell without one, and how each is shown.

A status is never told by colour alone: each has its own icon and its own word, and its
colour comes from the Okabe-Ito palette, which stays distinct for the common forms of
colour blindness (present bluish green, late orange, excused blue, absent vermilion).
"""

STATUSES = ("present", "absent", "excused", "late")
ATTENDED = ("present", "late")
MISSED = ("absent", "excused")
UNMARKED = "unmarked"          # expected, no mark (yet)
NOT_EXPECTED = "not_expected"  # before they joined, after they were replaced, or withdrawn

TAP_ORDER = ("present", "late", "excused", "absent")  # the buttons on a card, left to right
ICONS = {"present": "check_circle", "late": "schedule", "excused": "event_busy", "absent": "cancel"}  # Material
SYMBOLS = {"present": "✓", "late": "◷", "excused": "✉", "absent": "✗", UNMARKED: "·", NOT_EXPECTED: "–"}  # text
COLOURS = {"present": "#009E73", "late": "#E69F00", "excused": "#0072B2", "absent": "#D55E00"}
