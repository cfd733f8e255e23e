"""Appeals by text message (短信诉求). The SMS gateway (the operator's or a provider's)
forwards each message it receives to ``POST /api/v1/sms/inbound`` with the shared token;
``manage.py sms_inbound`` does the same from the command line for the console/dev set-up.
A provider's own webhook format is adapted in front of this by a few lines of glue.

A message "查询 <受理编号>" (or "CX <ticket>") answers with the appeal's status; anything
else is a new appeal, answered with its ticket.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gonghui.appeals.models import Channel
from gonghui.core import pii
from gonghui.core.scoping import scopes_disabled
from gonghui.members.identity import parse_mobile
from gonghui.members.models import Member, MemberStatus
from gonghui.members.services import phone_hash
from gonghui.portal.sms import get_backend

QUERY = re.compile(r"^\s*(?:查询|cx|CX)\s*([0-9\s-]{12,20})\s*$")


def sms_receive(*, sender: str, text: str) -> dict:
    """Handle one incoming message; returns what was done and the answer sent back."""
    from gonghui.appeals import services

    phone = parse_mobile(sender)
    text = (text or "").strip()
    query = QUERY.match(text)
    if query:
        try:
            appeal = services.appeal_track(ticket=query.group(1), phone=phone)
            answer = _("【12351】诉求%(t)s：%(s)s，承办单位%(u)s。") % {
                "t": appeal.ticket,
                "s": appeal.get_status_display(),
                "u": appeal.unit.name,
            }
        except ValidationError as e:
            answer = _("【12351】%(m)s") % {"m": " ".join(e.messages)}
        get_backend().send(phone, answer)
        return {"action": "query", "reply": answer}
    with scopes_disabled():
        member = Member.objects.filter(phone_hash=phone_hash(phone), status=MemberStatus.ACTIVE).first()
    try:
        appeal = services.appeal_submit(
            channel=Channel.SMS,
            worker_name=member.name if member else _("短信用户%(p)s") % {"p": pii.mask_phone(phone)[-4:]},
            phone=phone,
            description=text,
        )
    except ValidationError as e:
        answer = _("【12351】未能登记：%(m)s 请补充后重新发送，或拨打12351。") % {"m": " ".join(e.messages)}
        get_backend().send(phone, answer)
        return {"action": "refused", "reply": answer}
    answer = _("【12351】您的诉求已登记，受理编号%(t)s。回复“查询%(t)s”可查进度。") % {"t": appeal.ticket}
    get_backend().send(phone, answer)
    return {"action": "created", "ticket": appeal.ticket, "reply": answer}
