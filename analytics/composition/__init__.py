"""Composing groups for one programme round: who gets a place, and who is together.

settings (the coordinator's weights and rules), wording (notes and issues in words),
loading (the round as data), model (the round as a solver problem), solving (proposals),
judging (quality, broken rules, the waiting list), editing (moves by hand) and board (the
editing board: cards, live feedback, suggestions), plans and drafts (stored in the
database); the solver itself is the subpackage `solver`.
"""

from analytics.composition.editing import move
from analytics.composition.judging import Evaluation, GroupQuality, evaluate
from analytics.composition.loading import RoundData, load_round, round_choices
from analytics.composition.model import Model, build_model, dissimilarity
from analytics.composition.settings import (
    ATTRIBUTES, CATEGORY_ATTRIBUTES, DEFAULT_WEIGHTS, MODES, PRIORITY_RULES, Settings,
)
from analytics.composition.solving import Proposal, conflicts, default_settings, propose, repair_alone
from analytics.composition.wording import Issue, Note, category_label, text
from analytics.vocabulary import CANDIDATE_STATUSES, SIZE_CLASSES as SIZE_ORDER

__all__ = [
    "ATTRIBUTES", "CANDIDATE_STATUSES", "CATEGORY_ATTRIBUTES", "DEFAULT_WEIGHTS", "MODES", "PRIORITY_RULES",
    "SIZE_ORDER", "Evaluation", "GroupQuality", "Issue", "Model", "Note", "Proposal", "RoundData", "Settings",
    "build_model", "category_label", "conflicts", "default_settings", "dissimilarity", "evaluate", "load_round",
    "move", "propose", "repair_alone", "round_choices", "text",
]
