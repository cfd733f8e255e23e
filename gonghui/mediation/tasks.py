"""Background work for mediation: the day-15 sweep, hourly (huey, like the appeals sweep)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="7"))
def mediation_deadline_sweep():
    from gonghui.mediation.services import mediation_check_deadlines

    return mediation_check_deadlines()
