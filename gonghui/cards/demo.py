"""Demo venues, benefits and cards for `seed_city --members N` (idempotent)."""

import datetime as dt
from collections import Counter

from django.db import transaction

from gonghui.cards.models import Benefit, Card, CardEvent, CardStatus, Venue
from gonghui.cards.services import _new_number
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Unit
from gonghui.orgs.services import unit_counts_add

VENUES = [
    ("北京市劳动人民文化宫", [("免费参观", "free", None, None, 2, None)]),
    ("北京工人体育馆", [("游泳馆会员价", "member_price", None, "15.00", 1, None)]),
    ("首都电影院（西单）", [("观影八折", "discount", 80, None, 4, None)]),
    ("北京职工大学培训中心", [("技能培训课程免费名额", "free", None, None, None, 500)]),
]


def seed_demo_cards(*, cards: int = 2000) -> dict:
    """Partner venues with benefits, and cards for the first ``cards`` active members."""
    with transaction.atomic():
        root = Unit.objects.filter(depth=1).order_by("path").first()
        made_venues = 0
        if root is not None and not Venue.objects.exists():
            today = dt.date.today()
            for name, benefits in VENUES:
                venue = Venue.objects.create(name=name, unit=root)
                made_venues += 1
                for bname, kind, pct, price, per_month, capacity in benefits:
                    Benefit.objects.create(
                        venue=venue,
                        name=bname,
                        kind=kind,
                        discount_percent=pct,
                        member_price=price,
                        per_member_month=per_month,
                        capacity=capacity,
                        valid_from=today.replace(month=1, day=1),
                        valid_to=today.replace(month=12, day=31),
                    )
        holders = Card.objects.values("member_id")
        todo = list(
            Member.objects.filter(status=MemberStatus.ACTIVE)
            .exclude(pk__in=holders)
            .order_by("pk")
            .values_list("pk", flat=True)[: max(0, cards - Card.objects.count())]
        )
        new = Card.objects.bulk_create([Card(member_id=pk, number=_new_number()) for pk in todo], batch_size=1000)
        CardEvent.objects.bulk_create(
            [CardEvent(card=c, from_status="", to_status=CardStatus.ISSUED, reason="演示数据") for c in new],
            batch_size=1000,
        )
        # The holders' unions count the new cards (as card_issue does one at a time).
        per_unit = Counter()
        for start in range(0, len(todo), 10_000):
            per_unit.update(
                Member.objects.filter(pk__in=todo[start : start + 10_000]).values_list("unit_id", flat=True)
            )
        for unit_id, n in sorted(per_unit.items()):
            unit_counts_add(unit=Unit(pk=unit_id), cards=n)
    return {"venues": made_venues, "cards": len(new)}
