"""Background tasks of the case kernel, as plain functions.

The project does not depend on Celery: `zhengban tick` (cron) calls the same code. A
multi-machine deployment that runs Celery workers (CELERY_BROKER_URL) schedules the sweep
with celery beat, e.g. in its Celery app module:

    app.conf.beat_schedule = {
        "cases-tick": {
            "task": "zhengban.cases.tick",
            "schedule": crontab(hour=8, minute=0),
        },
    }

When Celery is installed the function is also registered as the shared task
"zhengban.cases.tick"; calling it directly always works.
"""

import datetime

from .reminders import app_sweeps, tick


def tick_task(run_date: str | None = None, dry_run: bool = False) -> dict:
    """Run the reminder and escalation sweep; `run_date` is an ISO date (default today).
    Returns the counts as a JSON-serializable dict (a Celery result)."""
    today = datetime.date.fromisoformat(run_date) if run_date else None
    counts = tick(today=today, dry_run=dry_run).as_dict()
    if not dry_run:
        counts["sweeps"] = app_sweeps(today)
    return counts


try:  # registered only where Celery is installed; nothing here imports it otherwise
    from celery import shared_task
except ImportError:
    pass
else:
    tick_task = shared_task(name="zhengban.cases.tick")(tick_task)
