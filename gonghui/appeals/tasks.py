"""Background work for appeals: the deadline sweep every five minutes (reminders and
escalation). On the embedded default the huey consumer runs inside `manage.py serve`; in
production it is `manage.py run_huey` on Redis; in tests tasks run immediately."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def appeals_deadline_sweep():
    from gonghui.appeals.services import appeals_check_deadlines

    return appeals_check_deadlines()
