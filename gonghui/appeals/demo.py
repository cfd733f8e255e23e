"""Demo appeals for `seed_city --members N` (idempotent): a few hundred appeals over the
last two months, through the real intake service (classifier, gazetteer, routing), then
moved along the workflow by the demo city's officer so the lists, deadlines, escalations,
alerts and analysis have something to show."""

import datetime as dt
import json
import random

from django.db import transaction
from django.utils import timezone

from gonghui.appeals import services
from gonghui.appeals.classifier import DATA_FILE
from gonghui.appeals.models import Appeal, AppealEvent, Channel
from gonghui.core import workdays
from gonghui.core.scoping import scope, scopes_disabled
from gonghui.orgs.models import Employer

CHANNELS = [Channel.HOTLINE] * 6 + [Channel.PORTAL] * 2 + [Channel.WALK_IN, Channel.SMS, Channel.KIOSK]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"


def seed_demo_appeals(*, count: int = 300, seed: int = 12351) -> int:
    from gonghui.accounts.models import Staff

    with scopes_disabled():
        if Appeal.objects.exists():
            return 0
        operator = Staff.objects.select_related("unit").filter(unit__depth=1, is_active=True).order_by("pk").first()
        employers = list(Employer.objects.select_related("unit").filter(is_active=True).order_by("pk")[:3000])
    if operator is None or not operator.can("appeals.handle"):
        return 0
    rng = random.Random(seed)
    rows = [json.loads(line) for line in DATA_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows if len(r["text"]) >= 10 and r["category"] != "other"]
    hot = rng.sample(employers, min(3, len(employers)))  # a few employers many workers call about
    now = timezone.now()
    made = 0
    with scope(org=operator.unit.path):
        for _i in range(count):
            employer = (
                rng.choice(hot) if hot and rng.random() < 0.04 else (rng.choice(employers) if employers else None)
            )
            with transaction.atomic():
                appeal = services.appeal_submit(
                    by=operator,
                    channel=rng.choice(CHANNELS),
                    worker_name=rng.choice(SURNAMES) + rng.choice(["先生", "女士", "师傅"]),
                    phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                    description=rng.choice(texts),
                    employer=employer if employer and rng.random() < 0.8 else None,
                    workers_involved=rng.choice([1] * 12 + [2, 3, 5, 8, 12, 30]),
                    amount=rng.choice([None, None, 3000, 8000, 15000, 42000]),
                )
                received = now - dt.timedelta(days=rng.uniform(0, 60) ** 1.2 / 60**0.2, minutes=rng.randrange(600))
                _backdate(appeal, received)
                _advance(operator, appeal, rng, received, now)
            made += 1
    return made


def _backdate(appeal: Appeal, received: dt.datetime) -> None:
    accept, reply, resolve, _remind = services.deadline_days(appeal.category, appeal.difficulty)
    Appeal.objects.filter(pk=appeal.pk).update(
        received_at=received,
        accept_due=workdays.add_workdays(received, accept),
        reply_due=workdays.add_workdays(received, reply),
        resolve_due=workdays.add_workdays(received, resolve),
    )
    AppealEvent.objects.filter(appeal=appeal).update(at=received)
    appeal.refresh_from_db()


def _advance(by, appeal: Appeal, rng: random.Random, received: dt.datetime, now: dt.datetime) -> None:
    """Older appeals are further along; a few are left late on purpose."""
    age = (now - received).days
    if age < 1 or rng.random() < 0.08:
        return
    services.appeal_accept(by=by, appeal=appeal)
    if age < 3 or rng.random() < 0.1:
        return
    services.appeal_start(by=by, appeal=appeal)
    if age < 6:
        return
    services.appeal_reply(
        by=by, appeal=appeal, reply="经协调，用人单位已同意按规定处理，请您留意后续通知。", notify=False
    )
    if age < 10:
        return
    satisfaction = rng.choice(["satisfied"] * 6 + ["basically"] * 3 + ["unsatisfied", "unreachable"])
    note = "职工认为处理太慢" if satisfaction == "unsatisfied" else ""
    services.appeal_close(by=by, appeal=appeal, satisfaction=satisfaction, note=note)
    # Spread the workflow's timestamps over the appeal's life, as it happened.
    done = received + dt.timedelta(days=rng.uniform(2, min(age, 20)))
    Appeal.objects.filter(pk=appeal.pk).update(
        accepted_at=received + dt.timedelta(hours=rng.uniform(1, 20)),
        replied_at=done - dt.timedelta(days=1),
        closed_at=done,
    )
