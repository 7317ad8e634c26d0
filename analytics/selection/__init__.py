"""Reviewing and deciding on applications: the explorer, scores, statuses and the waiting list."""

from analytics.selection.decisions import *  # noqa: F401,F403  (the package's public functions)
from analytics.selection.places import (  # noqa: F401  (freed places and confirmations)
    DESTRUCTIVE, Confirmation, candidates, confirmation, fill_place, free_places, freed_group, names, open_seats,
    place_still_free,
    undo_withdrawal, withdrawn_from,
)
