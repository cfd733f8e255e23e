"""Writing and verifying the audit trail.

Services call :func:`audit_record` inside their own transaction, so an audit row exists
exactly when the change it describes was committed. Where the request came from (address,
client) is taken from a context variable the middleware fills, so services need only be
told *who* acted.
"""

import datetime as dt
import hashlib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import AuditAction, AuditChainHead, AuditEntry
from gonghui.core.scoping import scopes_disabled

GENESIS = "0" * 64


@dataclass(frozen=True)
class RequestOrigin:
    ip: str | None = None
    user_agent: str = ""


_origin: ContextVar[RequestOrigin] = ContextVar("audit_origin", default=RequestOrigin())  # noqa: B039 - frozen


def set_origin(origin: RequestOrigin):
    return _origin.set(origin)


def reset_origin(token) -> None:
    _origin.reset(token)


def request_origin(request) -> RequestOrigin:
    # Behind the production proxy REMOTE_ADDR is the proxy; the proxy is configured to
    # overwrite X-Real-IP, which we then trust. Without a proxy it is absent.
    ip = request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None
    return RequestOrigin(ip=ip, user_agent=request.META.get("HTTP_USER_AGENT", "")[:255])


def _plain(value):
    """A JSON-stable form of a field value (what is hashed is exactly what is stored)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (Decimal, dt.date, dt.datetime, dt.time)):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def snapshot(obj, fields) -> dict:
    """Current values of ``fields`` on ``obj``, foreign keys by id."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = _plain(getattr(obj, field.attname))
    return values


def diff(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def readable_changes(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """``(label, old, new)`` for display: field names as the model labels them, choice
    values as their labels, lists joined. The stored row stays exact; this is only how it
    reads."""
    from django.apps import apps

    try:
        model = apps.get_model(entry.object_type) if entry.object_type else None
    except (LookupError, ValueError):
        model = None

    def show(field, value):
        if isinstance(value, list):
            return "、".join(str(show(field, v)) for v in value)
        if field is not None and field.choices and value is not None:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return value

    rows = []
    for name, pair in (entry.changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except Exception:  # noqa: BLE001 - not a model field (e.g. "roles")
                field = None
        label = str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else name
        if name == "roles":
            from gonghui.accounts.roles import Role

            label = str(_("角色"))
            old = "、".join(str(Role(r).label) for r in old or [] if r in Role.values) or None
            new = "、".join(str(Role(r).label) for r in new or [] if r in Role.values) or None
        else:
            old, new = show(field, old), show(field, new)
        rows.append((label, old, new))
    return rows


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "scope_path": entry.scope_path,
        "changes": entry.changes,
        "note": entry.note,
    }
    payload = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def audit_record(
    *,
    actor,
    action: AuditAction | str,
    obj=None,
    scope_path: str | None = None,
    changes: dict | None = None,
    note: str = "",
    actor_name: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain.

    ``scope_path`` places the entry in the tree (so a district auditor sees the district's
    events); by default it is the object's own unit path, else the actor's.
    """
    origin = _origin.get()
    if scope_path is None:
        scope_path = _scope_path_of(obj) or _scope_path_of(actor) or ""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_name=actor_name if actor_name is not None else (actor.get_username() if actor else ""),
        ip=origin.ip,
        user_agent=origin.user_agent,
        action=str(action),
        object_type=object_type if object_type is not None else (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id if object_id is not None else (str(obj.pk) if obj is not None else ""),
        object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[:255],
        scope_path=scope_path,
        changes=_plain(changes or {}),
        note=note[:500],
    )
    with transaction.atomic(), scopes_disabled():
        # The head row is the chain's lock: concurrent writers queue here, so each entry
        # links to exactly one predecessor.
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry.seq = head.seq + 1
        entry.prev_hash = head.hash
        entry.hash = _digest(head.hash, entry)
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def _scope_path_of(obj) -> str:
    if obj is None:
        return ""
    path = getattr(obj, "audit_scope_path", None)
    if callable(path):
        return path() or ""
    return path or ""


@dataclass
class ChainReport:
    checked: int
    ok: bool
    first_bad_seq: int | None = None
    problem: str = ""


def audit_verify(*, batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first entry that does not fit."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    with scopes_disabled():
        last_seq = 0
        while True:
            batch = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
            if not batch:
                break
            for entry in batch:
                if entry.seq != expected_seq:
                    return ChainReport(checked, False, expected_seq, "missing entry")
                if entry.prev_hash != prev_hash:
                    return ChainReport(checked, False, entry.seq, "link to previous entry broken")
                if _digest(prev_hash, entry) != entry.hash:
                    return ChainReport(checked, False, entry.seq, "content does not match its hash")
                prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
            last_seq = batch[-1].seq
        head = AuditChainHead.objects.filter(pk=1).first()
        if head is not None and (head.seq != checked or head.hash != prev_hash):
            return ChainReport(checked, False, checked + 1, "entries removed from the end")
    return ChainReport(checked, True)
