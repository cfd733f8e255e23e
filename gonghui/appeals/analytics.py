"""Read-side selectors for the 12351 oversight pages: early-warning alerts, the appeal
analysis of a subtree (诉求分析), and the city's settings as a district sees them.

Every read goes through the scoped managers (the active organisation scope is the user's
subtree). The analysis aggregates in the database: each figure is one grouped query, so the
number of queries does not grow with the number of appeals. Two things are done in Python
over one query's rows: working days (the calendar lives in ``core.workdays``) and the
trending words (segmented with the classifier's rjieba segmenter).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth, TruncWeek
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.appeals.categories import AppealCategory
from gonghui.appeals.models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertStatus,
    Appeal,
    AppealStatus,
    Channel,
    DeadlinePolicy,
    RoutingRule,
    Satisfaction,
)
from gonghui.core import workdays
from gonghui.orgs.models import Unit

# --- Alerts -------------------------------------------------------------------------------

# Open ones first, in the order they are worked on, then the closed ones.
_ALERT_ORDER = Case(
    When(status=AlertStatus.OPEN, then=Value(0)),
    When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
    When(status=AlertStatus.HANDLING, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def alert_list(*, status: str = "", kind: str = ""):
    """Alerts of the districts in scope, open ones first, newest first within a status."""
    qs = Alert.objects.select_related("unit", "employer").annotate(appeal_count=Count("appeals", distinct=True))
    if status in AlertStatus.values:
        qs = qs.filter(status=status)
    if kind in AlertKind.values:
        qs = qs.filter(kind=kind)
    return qs.annotate(rank=_ALERT_ORDER).order_by("rank", "-raised_at", "-id")


def alert_get(pk) -> Alert:
    return get_object_or_404(
        Alert.objects.select_related("unit", "employer", "acknowledged_by", "closed_by"),
        pk=pk,
    )


def alert_appeals(alert: Alert) -> list[Appeal]:
    """The alert's appeals the user may see (through the scoped appeal manager: an appeal
    of one employer handled in another district stays out of sight)."""
    return list(Appeal.objects.filter(alerts=alert).select_related("unit", "employer").order_by("-received_at", "-id"))


def alert_history(alert: Alert) -> list[AlertEvent]:
    return list(AlertEvent.objects.filter(alert=alert).select_related("by").order_by("at", "id"))


def alert_workdays_open(alert: Alert, now: dt.datetime | None = None) -> int:
    """Working days from raising to closing (or to now while it is open)."""
    return workdays.workdays_between(alert.raised_at, alert.closed_at or now or timezone.now())


# --- Settings as they are listed -----------------------------------------------------------


def routing_rules_for(user):
    """Routing rules are city-wide settings. The city sees them all; anyone below sees the
    rules that concern their part of the tree (the target or the district lies in it), so
    one district never reads another's routing."""
    qs = RoutingRule.objects.select_related("target", "district", "updated_by").order_by("priority", "id")
    unit = getattr(user, "unit", None)
    if unit is None:
        return qs.none()
    if unit.depth == 1:
        return qs
    return qs.filter(Q(target__path__startswith=unit.path) | Q(district__path__startswith=unit.path))


def deadline_policies():
    """Deadline policies name no unit: every district works to the same ones."""
    return DeadlinePolicy.objects.select_related("updated_by").order_by("category", "difficulty")


# --- Analysis (诉求分析) ---------------------------------------------------------------------

PRESETS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
TOP_EMPLOYERS = 10
TOP_WORDS = 20
# Trending words read at most this many descriptions a period (the newest): enough for a
# picture of what workers are talking about, and the page's cost stays bounded.
WORDS_SAMPLE = 3000
# Words that say nothing about the matter, beyond the classifier's own stop words.
TRENDING_STOP_WORDS = frozenset(
    [
        "问题",
        "情况",
        "事情",
        "表示",
        "目前",
        "之前",
        "以后",
        "今天",
        "昨天",
        "明天",
        "员工",
        "工人",
        "师傅",
        "知道",
        "不上",
        "不了",
        "一些",
    ]
)
# Appeals merged into another are the same matter: counted once, under the one they joined.
NOT_COUNTED = (AppealStatus.DUPLICATE,)
# No reply or resolution is owed for these, so they are not in the deadline figures.
NO_DEADLINE = (AppealStatus.DUPLICATE, AppealStatus.WITHDRAWN, AppealStatus.REJECTED)


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, inclusive
    preset: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def bucket(self) -> str:
        """The time series' step: days for a month, weeks for a half-year, else months."""
        if self.days <= 31:
            return "day"
        if self.days <= 184:
            return "week"
        return "month"

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))


def period_parse(*, preset: str = "", start: str = "", end: str = "", today: dt.date | None = None) -> Period:
    """The period asked for: a preset number of days ending today, or from/to dates (in
    either order, at most three years); else the last 30 days."""
    from django.utils.dateparse import parse_date

    today = today or timezone.localdate()
    try:
        first = parse_date(start or "") if start else None
        last = parse_date(end or "") if end else None
    except ValueError:
        first = last = None
    if first or last:
        first, last = first or (last - dt.timedelta(days=DEFAULT_DAYS - 1)), last or today
        if last < first:
            first, last = last, first
        if (last - first).days + 1 > MAX_DAYS:
            first = last - dt.timedelta(days=MAX_DAYS - 1)
        return Period(first, last)
    days = int(preset) if preset.isdigit() and int(preset) in PRESETS else DEFAULT_DAYS
    return Period(today - dt.timedelta(days=days - 1), today, preset=days)


@dataclass
class Row:
    key: str
    label: str
    count: int
    extra: dict = field(default_factory=dict)


@dataclass
class Analysis:
    period: Period
    total: int
    by_category: list[Row]
    by_unit: list[Row]
    by_employer: list[Row]
    by_time: list[Row]
    by_channel: list[Row]
    words: list[Row]
    reply_due: int
    reply_on_time: int
    resolve_due: int
    resolve_on_time: int
    closed: int
    average_close_workdays: float | None
    satisfaction: list[Row]
    satisfied_share: float | None

    @property
    def reply_rate(self) -> float | None:
        return self.reply_on_time / self.reply_due if self.reply_due else None

    @property
    def resolve_rate(self) -> float | None:
        return self.resolve_on_time / self.resolve_due if self.resolve_due else None

    @staticmethod
    def _percent(share: float | None) -> str:
        return "—" if share is None else f"{share * 100:.1f}%"

    @property
    def reply_percent(self) -> str:
        return self._percent(self.reply_rate)

    @property
    def resolve_percent(self) -> str:
        return self._percent(self.resolve_rate)

    @property
    def satisfied_percent(self) -> str:
        return self._percent(self.satisfied_share)


def _received(period: Period):
    start, end = period.bounds()
    return Appeal.objects.filter(received_at__gte=start, received_at__lt=end).exclude(status__in=NOT_COUNTED)


def _by_choice(qs, name: str, choices) -> list[Row]:
    labels = dict(choices)
    rows = qs.values(name).annotate(n=Count("id")).order_by("-n", name)
    return [Row(r[name], str(labels.get(r[name], r[name])), r["n"]) for r in rows]


def _by_unit(qs, unit: Unit) -> list[Row]:
    """The user's unit itself (本级) and each child unit with its whole subtree: one grouped
    query on the first characters of the handling unit's path (as orgs' children totals)."""
    children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("path"))
    width = (unit.depth + 1) * Unit.steplen
    rows = (
        qs.annotate(branch=Substr("unit__path", 1, width))
        .values("branch")
        .annotate(n=Count("id"), closed=Count("id", filter=Q(status=AppealStatus.CLOSED)))
    )
    found = {r["branch"]: r for r in rows}
    empty = {"n": 0, "closed": 0}
    own = found.get(unit.path, empty)
    result = [Row(unit.path, _("%(unit)s（本级）") % {"unit": unit.label}, own["n"], {"closed": own["closed"]})]
    for child in children:
        r = found.get(child.path, empty)
        result.append(Row(child.path, child.label, r["n"], {"closed": r["closed"]}))
    return result


def _by_employer(qs) -> list[Row]:
    rows = (
        qs.annotate(name=Coalesce("employer__name", "employer_name"))
        .exclude(name="")
        .values("name")
        .annotate(n=Count("id"), workers=Coalesce(Sum("workers_involved"), 0))
        .order_by("-n", "name")[:TOP_EMPLOYERS]
    )
    return [Row(r["name"], r["name"], r["n"], {"workers": r["workers"]}) for r in rows]


def _bucket_starts(period: Period) -> list[dt.date]:
    if period.bucket == "day":
        return [period.start + dt.timedelta(days=i) for i in range(period.days)]
    if period.bucket == "week":
        day = period.start - dt.timedelta(days=period.start.weekday())
        step = dt.timedelta(days=7)
        starts = []
        while day <= period.end:
            starts.append(day)
            day += step
        return starts
    day, starts = period.start.replace(day=1), []
    while day <= period.end:
        starts.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return starts


def _by_time(qs, period: Period) -> list[Row]:
    tz = timezone.get_current_timezone()
    trunc = {"day": TruncDate, "week": TruncWeek, "month": TruncMonth}[period.bucket]
    rows = qs.annotate(bucket=trunc("received_at", tzinfo=tz)).values("bucket").annotate(n=Count("id"))
    counts = {}
    for r in rows:
        value = r["bucket"]
        if isinstance(value, dt.datetime):
            value = value.date()
        counts[value] = counts.get(value, 0) + r["n"]
    result = []
    for day in _bucket_starts(period):
        if period.bucket == "day":
            label = day.strftime("%m-%d")
        elif period.bucket == "week":
            label = _("%(d)s起") % {"d": day.strftime("%m-%d")}
        else:
            label = day.strftime("%Y-%m")
        result.append(Row(day.isoformat(), label, counts.get(day, 0)))
    return result


def _segment_counts(descriptions) -> Counter:
    """In how many appeals each word appears (a word repeated within one appeal counts
    once: one worker's emphasis is not a trend)."""
    from gonghui.appeals.classifier import default_classifier, normalise

    segmenter = default_classifier().segmenter
    counts: Counter = Counter()
    for text in descriptions:
        counts.update({w for w in segmenter.words(normalise(text)) if w not in TRENDING_STOP_WORDS})
    return counts


def _trending(period: Period) -> list[Row]:
    """The period's top words with the previous period's count; ``rising`` when the word
    appears in at least two more appeals than before and half as many again."""
    now = _segment_counts(
        _received(period).order_by("-received_at").values_list("description", flat=True)[:WORDS_SAMPLE]
    )
    before = _segment_counts(
        _received(period.previous()).order_by("-received_at").values_list("description", flat=True)[:WORDS_SAMPLE]
    )
    top = sorted(now.items(), key=lambda item: (-item[1], item[0]))[:TOP_WORDS]
    return [
        Row(
            word,
            word,
            n,
            {
                "previous": before.get(word, 0),
                "rising": n - before.get(word, 0) >= 2 and n >= 1.5 * before.get(word, 0),
            },
        )
        for word, n in top
    ]


def appeal_analysis(*, user, period: Period) -> Analysis:
    """Everything the analysis page shows for the user's subtree and a period."""
    received = _received(period)
    start, end = period.bounds()
    total = received.count()

    # Deadlines that fell in the period and have passed: was the appeal answered / closed by
    # then? Appeals waiting on the worker have a stopped clock and are left out.
    cutoff = min(end, timezone.now())
    owed = Appeal.objects.exclude(status__in=NO_DEADLINE).filter(paused_at__isnull=True)
    reply_window = Q(reply_due__gte=start, reply_due__lt=cutoff)
    resolve_window = Q(resolve_due__gte=start, resolve_due__lt=cutoff)
    deadlines = owed.filter(reply_window | resolve_window).aggregate(
        n_reply_due=Count("id", filter=reply_window),
        n_reply_on_time=Count("id", filter=reply_window & Q(replied_at__isnull=False, replied_at__lte=F("reply_due"))),
        n_resolve_due=Count("id", filter=resolve_window),
        n_resolve_on_time=Count(
            "id",
            filter=resolve_window & Q(status=AppealStatus.CLOSED, closed_at__lte=F("resolve_due")),
        ),
    )

    # Closed in the period: how long it took and what the worker said on the return visit.
    closed = Appeal.objects.filter(status=AppealStatus.CLOSED, closed_at__gte=start, closed_at__lt=end)
    spans = [workdays.workdays_between(a, b) for a, b in closed.values_list("received_at", "closed_at")]
    satisfaction = _by_choice(closed.exclude(satisfaction=""), "satisfaction", Satisfaction.choices)
    answers = {r.key: r.count for r in satisfaction}
    reached = sum(n for k, n in answers.items() if k != Satisfaction.UNREACHABLE)
    pleased = answers.get(Satisfaction.SATISFIED, 0) + answers.get(Satisfaction.BASICALLY, 0)

    return Analysis(
        period=period,
        total=total,
        by_category=_by_choice(received, "category", AppealCategory.choices),
        by_unit=_by_unit(received, user.unit),
        by_employer=_by_employer(received),
        by_time=_by_time(received, period),
        by_channel=_by_choice(received, "channel", Channel.choices),
        words=_trending(period),
        reply_due=deadlines["n_reply_due"],
        reply_on_time=deadlines["n_reply_on_time"],
        resolve_due=deadlines["n_resolve_due"],
        resolve_on_time=deadlines["n_resolve_on_time"],
        closed=len(spans),
        average_close_workdays=round(sum(spans) / len(spans), 1) if spans else None,
        satisfaction=satisfaction,
        satisfied_share=pleased / reached if reached else None,
    )
