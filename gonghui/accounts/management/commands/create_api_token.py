from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.models import Staff
from gonghui.accounts.services import api_token_create
from gonghui.core.scoping import scopes_disabled


class Command(BaseCommand):
    help = "Create a bearer token for the API (shown once). 为接口调用创建令牌（只显示一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument("--days", type=int, default=None, help="valid for this many days (default: no expiry)")

    def handle(self, *args, username, name, days, **options):
        with scopes_disabled():
            staff = Staff.objects.filter(username=username, is_active=True).first()
        if staff is None:
            raise CommandError(f"No active staff account '{username}'. 未找到启用中的账号“{username}”。")
        token, raw = api_token_create(staff=staff, name=name, valid_days=days)
        self.stdout.write(raw)
        self.stderr.write(f"Token {token.prefix}… for {username}; use: Authorization: Bearer {raw}")
