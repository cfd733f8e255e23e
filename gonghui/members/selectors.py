"""Scoped reads of members: look-up by exact ID number or phone, name prefix, pinyin."""

import re

from django.db.models import Q
from django.shortcuts import get_object_or_404

from gonghui.members.identity import initials_of_pinyin_prefix, normalise_id_number, normalise_phone
from gonghui.members.models import Member, MembershipEvent

SEARCH_LIMIT = 50
_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
_MOBILE_LIKE = re.compile(r"^(\+?86)?1\d{10}$")
_PINYIN = re.compile(r"^[a-zA-Z]+$")


def member_get(pk) -> Member:
    return get_object_or_404(Member.objects.select_related("unit", "employer"), pk=pk)


def search_kind(q: str) -> str:
    q = (q or "").strip()
    if not q:
        return ""
    if _ID_LIKE.match(normalise_id_number(q)):
        return "id_number"
    if _MOBILE_LIKE.match(normalise_phone(q)):
        return "phone"
    if _PINYIN.match(q):
        return "pinyin"
    return "name"


def member_search(*, q="", status=None, unit=None, employer=None, new_form=None, platform=None):
    """Members in scope matching ``q``: an 18-character ID number or a mobile number is
    an exact match through its keyed hash; Latin letters match pinyin initials (``zs`` →
    张三) or the start of the full pinyin (``zhangs``); anything else is a name prefix.
    Ordered by name then id, or for Latin letters by initials, full pinyin, id (stable for
    keyset pagination; each order is an index, see ``Member.Meta``)."""
    from gonghui.members.services import id_number_hash, phone_hash

    qs = Member.objects.select_related("unit", "employer")
    order = ("name", "id")
    kind = search_kind(q)
    q = (q or "").strip()
    if kind == "id_number":
        qs = qs.filter(id_number_hash=id_number_hash(normalise_id_number(q)))
    elif kind == "phone":
        phone = normalise_phone(q)
        phone = phone[-11:]
        qs = qs.filter(phone_hash=phone_hash(phone))
    elif kind == "pinyin":
        q = q.lower()
        qs = qs.filter(_pinyin_match(q))
        order = ("name_initials", "name_pinyin", "id")
    elif kind == "name":
        # The prefix as a range, which a b-tree on name bounds (a LIKE it bounds only under
        # the C collation): the index is read from the first match on, in the order of the
        # page, instead of from its start.
        qs = qs.filter(_starts_with("name", q))
    if status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if employer is not None:
        qs = qs.filter(employer=employer)
    if new_form is not None:
        qs = qs.filter(is_new_form_worker=new_form)
    if platform:
        qs = qs.filter(platform=platform)
    return qs.order_by(*order)


def _starts_with(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, written as the range a b-tree bounds. Not a LIKE as
    well: PostgreSQL would count the two as independent conditions, estimate a few rows where
    there are thousands, and sort them all instead of reading the index in order."""
    low, high = _prefix_range(prefix)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def _pinyin_match(q: str) -> Q:
    """Initials that start with ``q`` (``zs`` → 张三) or a full pinyin that does (``zhangs``).

    Pages are in (initials, pinyin, id) order, one index. The initials of a full-pinyin match
    are known from ``q`` (``zhangs`` → ``zs``…), so the condition is written as ranges of that
    index: one range read in order when ``q`` cannot be pinyin at all (``wl``), a few narrow
    ranges when it spans syllables (``zhangs``: few names, sorted). When ``q`` lies within a
    first syllable (``zh``, ``wang``) its matches are spread over the whole letter and are
    many: that letter's range is read in order until the page is full, which costs the same
    share of the letter's names at any size of the table."""
    prefixes = initials_of_pinyin_prefix(q)
    if prefixes is None or any(len(p) == 1 for p in prefixes):
        return _starts_with("name_initials", q[0]) & (Q(name_initials__startswith=q) | Q(name_pinyin__startswith=q))
    match = _starts_with("name_initials", q)
    for initials in sorted(prefixes):
        match |= _starts_with("name_initials", initials) & _starts_with("name_pinyin", q)
    return match


def _prefix_range(prefix: str) -> tuple[str, str]:
    """``[prefix, upper)``: the strings that start with ``prefix`` in code-point order — the
    order of SQLite's default collation and of PostgreSQL's C and C.UTF-8 collations. Gonghui's
    PostgreSQL databases are created with C.UTF-8 (docs/performance.md); under a linguistic
    collation a range and a prefix are not the same set of names."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates are not characters; skip to the next one
        last = 0xE000
    return prefix, prefix[:-1] + chr(min(last, 0x10FFFF))


def member_history(member: Member):
    return (
        MembershipEvent.objects.filter(member=member)
        .select_related("from_unit", "to_unit", "by")
        .order_by("occurred_on", "id")
    )


def possible_duplicates(member: Member, limit=20):
    """Other records in scope that may be the same person: the same phone, or the same
    name and birth date (a mistyped ID number keeps both)."""
    qs = Member.objects.exclude(pk=member.pk).exclude(status="merged").select_related("unit")
    same_phone = qs.filter(phone_hash=member.phone_hash) if member.phone_hash else qs.none()
    same_person = qs.filter(name=member.name, birth_date=member.birth_date)
    return (same_phone | same_person).order_by("id")[:limit]


def keyset_page(qs, *, after: str | None, limit: int):
    """One page of ``qs`` (ordered by ascending fields ending in ``id``, as ``member_search``
    orders) after the cursor ``after`` ("<id>" of the last row seen). No COUNT over the whole
    scope: at city scale that is the expensive part."""
    limit = max(1, min(limit, 200))
    if after and after.isdigit():
        order = tuple(qs.query.order_by) or ("name", "id")
        last = Member.objects.filter(pk=int(after)).values_list(*order).first()
        if last is not None:
            # (a, b, id) > (x, y, z) spelled out: a > x, or a = x and b > y, or …
            after_last, equal = Q(), {}
            for field, value in zip(order, last, strict=True):
                after_last |= Q(**equal, **{f"{field}__gt": value})
                equal[field] = value
            qs = qs.filter(after_last)
    rows = list(qs[: limit + 1])
    has_next = len(rows) > limit
    rows = rows[:limit]
    return rows, (str(rows[-1].pk) if has_next and rows else None)


def unit_directory(q: str, limit=20):
    """Unions anywhere in the city by name, for choosing where a member transfers to. Only
    names and kinds — the directory of unions is public — never their data."""
    from gonghui.core.scoping import scopes_disabled
    from gonghui.orgs.models import Unit, UnitKind

    q = (q or "").strip()
    if len(q) < 2:
        return []
    with scopes_disabled():
        return list(
            Unit.objects.filter(name__contains=q, is_active=True)
            .exclude(kind=UnitKind.CITY_FEDERATION)
            .order_by("path")
            .values("id", "name", "kind")[:limit]
        )


def unit_for_transfer(pk) -> "Unit":  # noqa: F821
    from gonghui.core.scoping import scopes_disabled
    from gonghui.orgs.models import Unit

    with scopes_disabled():
        return get_object_or_404(Unit.objects.filter(is_active=True), pk=pk)


def employer_by_uscc(uscc: str):
    """An employer in scope by its credit code, or None."""
    from gonghui.orgs.models import Employer
    from gonghui.orgs.validators import normalise_uscc

    code = normalise_uscc(uscc)
    return Employer.objects.select_related("unit").filter(uscc=code).first() if code else None


def member_cards(member: Member):
    """The member's cards, newest first, with their history (the cards app builds on members)."""
    from gonghui.cards.models import Card

    return Card.objects.filter(member=member).prefetch_related("events__by").order_by("-issued_at", "-id")


def data_requests(*, status: str, limit: int = 200):
    """Members' personal-data requests in scope, the soonest due first."""
    from gonghui.members.models import DataRightsRequest

    return (
        DataRightsRequest.objects.filter(status=status).select_related("member__unit").order_by("due_on", "id")[:limit]
    )


def data_request_get(pk):
    from gonghui.members.models import DataRightsRequest

    return get_object_or_404(DataRightsRequest.objects.select_related("member__unit"), pk=pk)


def applications(*, status: str, kind: str = "", limit: int = 200):
    """Applications to join or transfer received by units in scope, oldest first (the
    queue is worked in order)."""
    from gonghui.members.models import MembershipApplication

    qs = MembershipApplication.objects.filter(status=status).select_related("unit", "employer", "member__unit")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("created_at", "id")[:limit]


def application_get(pk):
    from gonghui.members.models import MembershipApplication

    return get_object_or_404(
        MembershipApplication.objects.select_related("unit", "employer", "member__unit", "decided_by"), pk=pk
    )


def workbench_todos(user) -> list:
    """Join and transfer applications waiting for a decision; personal-data requests
    falling due within a week or overdue (the 30-day deadline)."""
    import datetime as dt

    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from gonghui.core.workbench import Todo
    from gonghui.members.models import ApplicationStatus, DataRequestStatus, DataRightsRequest, MembershipApplication

    if not user.can("members.view"):
        return []
    today = timezone.localdate()
    pending = MembershipApplication.objects.filter(status=ApplicationStatus.PENDING).count()
    requests = DataRightsRequest.objects.filter(status=DataRequestStatus.OPEN).aggregate(
        overdue=Count("id", filter=Q(due_on__lt=today)),
        soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7))),
    )
    return [
        Todo("applications", _("入会、转会申请待审核"), pending, reverse("members:application_list")),
        Todo(
            "data_requests_overdue",
            _("个人信息请求已超期"),
            requests["overdue"],
            reverse("members:data_request_list"),
            True,
        ),
        Todo("data_requests_soon", _("个人信息请求7天内到期"), requests["soon"], reverse("members:data_request_list")),
    ]
