from django.core.management.base import BaseCommand
from django.db import transaction

from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.scoping import scopes_disabled
from gonghui.members.models import Member
from gonghui.members.services import id_number_hash, phone_hash


class Command(BaseCommand):
    help = (
        "Re-encrypt members' ID numbers and phones with the current key (the first in PII_ENCRYPTION_KEYS); "
        "with --rehash also recompute the look-up hashes under the current PII_HASH_KEY. "
        "用当前密钥重新加密会员身份证号与手机号。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rehash", action="store_true", help="recompute blind indexes (after changing PII_HASH_KEY)"
        )
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, rehash, batch, **options):
        current = pii.keys().current_id
        done = last = 0
        with scopes_disabled():
            while True:
                rows = list(
                    Member.objects.filter(pk__gt=last)
                    .order_by("pk")
                    .only("pk", "id_number_cipher", "phone_cipher", "id_number_hash", "phone_hash")[:batch]
                )
                if not rows:
                    break
                last = rows[-1].pk
                changed = []
                for m in rows:
                    stale = pii.key_id_of(m.id_number_cipher) != current or (
                        m.phone_cipher and pii.key_id_of(m.phone_cipher) != current
                    )
                    if not (stale or rehash):
                        continue
                    plain_id = pii.decrypt(m.id_number_cipher)
                    plain_phone = pii.decrypt(m.phone_cipher) if m.phone_cipher else None
                    m.id_number_cipher = pii.encrypt(plain_id)
                    m.phone_cipher = pii.encrypt(plain_phone) if plain_phone else None
                    if rehash:
                        m.id_number_hash = id_number_hash(plain_id)
                        m.phone_hash = phone_hash(plain_phone) if plain_phone else None
                    changed.append(m)
                if changed:
                    fields = ["id_number_cipher", "phone_cipher"] + (["id_number_hash", "phone_hash"] if rehash else [])
                    with transaction.atomic():
                        Member.objects.bulk_update(changed, fields, batch_size=500)
                    done += len(changed)
        audit_record(
            actor=None,
            actor_name="rotate_pii_keys",
            action=AuditAction.UPDATE,
            object_type="members.member",
            note=f"re-encrypted {done} members with key {current}" + (" and re-hashed" if rehash else ""),
        )
        self.stdout.write(f"Re-encrypted {done} members with key {current}. 已用密钥 {current} 重新加密 {done} 条。")
