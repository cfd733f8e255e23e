from django.core.management.base import BaseCommand, CommandError

from gonghui.core.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail. 校验审计日志哈希链。"

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN at entry #{report.first_bad_seq}: {report.problem} "
                f"({report.checked} entries verified before it). 审计链在第 {report.first_bad_seq} 条处断裂。"
            )
        self.stdout.write(f"Audit chain intact: {report.checked} entries. 审计链完整，共 {report.checked} 条。")
