"""Background work for hardship files: the yearly review reminders, every morning (huey,
like the appeals and mediation sweeps; in-process on the embedded default)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="7", minute="20"))
def hardship_review_sweep():
    from gonghui.hardship.services import hardship_review_remind

    return hardship_review_remind()
