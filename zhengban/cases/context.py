"""What effects and guards see while an action is being taken."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from zhengban.accounts.models import User

from .models import Case
from .workflow import Action, Workflow


@dataclass
class ActionContext:
    """What effects and guards see while an action is being taken."""

    case: Case
    workflow: Workflow
    action: Action
    actor: User
    principal: User  # the person the actor acts as (themself, or a delegator)
    params: dict[str, Any]
    comment: str
    today: datetime.date
    seq: int = 0  # of the event the action will append; tasks it opens record it
    event_data: dict[str, Any] = field(default_factory=dict)
