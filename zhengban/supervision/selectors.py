"""Reads of the supervision app: the item's panel, lights, the board and the statistics."""

from __future__ import annotations


def item_panel(user, case, detail) -> dict:
    return {"item": detail}
