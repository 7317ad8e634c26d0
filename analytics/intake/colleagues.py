"""Colleagues who apply together: the names and addresses in "ik meld me aan samen met",
and the links between the applications of a round that name each other."""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

from analytics.intake.fields import EMAIL, fold


def colleague_mentions(text: str) -> tuple[list[str], list[str]]:
    """E-mail addresses and folded names in "ik meld me aan samen met": 'Anna de Vries
    (a.devries@x.nl), Bram Smit en Eva Bos' -> (['a.devries@x.nl'], ['anna de vries', ...])."""
    lowered = text.lower()
    emails = EMAIL.findall(lowered)
    rest = re.sub(r"\([^)]*\)|<[^>]*>", " ", EMAIL.sub(" ", lowered))
    parts = re.split(r"[,;/&+\n]| en | and |\bmet\b", rest)
    names = [fold(p) for p in parts if len(fold(p).split()) >= 2]
    return emails, names


def link_colleagues(cur, round_id: int) -> int:
    """Link applications in a round whose forms name each other (by e-mail or full name),
    both ways; existing links stay. Returns the number of new pairs."""
    rows = cur.execute(
        """
        select a.id, p.email, p.first_name, p.last_name, a.together_with
        from applications a join people p on p.id = a.person_id
        where a.round_id = ?
        """,
        [round_id],
    ).fetchall()
    by_email = {email: aid for aid, email, _, _, _ in rows}
    by_name: dict[str, list[int]] = defaultdict(list)
    for aid, _, first, last, _ in rows:
        by_name[fold(f"{first} {last}")].append(aid)
    pairs = set()
    for aid, _, _, _, together in rows:
        if not together:
            continue
        emails, names = colleague_mentions(together)
        targets = [by_email[e] for e in emails if e in by_email]
        targets += [by_name[n][0] for n in names if len(by_name.get(n, [])) == 1]
        pairs.update((min(aid, t), max(aid, t)) for t in targets if t != aid)
    existing = set(cur.execute(
        """
        select l.application_id, l.colleague_application_id
        from application_links l join applications a on a.id = l.application_id
        where a.round_id = ?
        """,
        [round_id],
    ).fetchall())
    missing = sorted(({(a, b) for a, b in pairs} | {(b, a) for a, b in pairs}) - existing)
    if missing:
        frame = pd.DataFrame(missing, columns=["application_id", "colleague_application_id"])
        cur.register("new_links", frame)
        cur.execute("insert into application_links select * from new_links")
    return len({(min(a, b), max(a, b)) for a, b in missing})

