from django.core.management.base import BaseCommand, CommandError

from gonghui.cards.models import Venue
from gonghui.cards.services import venue_token_create
from gonghui.core.scoping import scopes_disabled


class Command(BaseCommand):
    help = "Create (or replace) a partner venue's terminal token; printed once. 生成场馆核验令牌（只显示一次）。"

    def add_arguments(self, parser):
        parser.add_argument("venue_id", type=int)

    def handle(self, *args, venue_id, **options):
        with scopes_disabled():
            venue = Venue.objects.filter(pk=venue_id).first()
        if venue is None:
            raise CommandError(f"No venue {venue_id}. 未找到场馆 {venue_id}。")
        self.stdout.write(venue_token_create(by=None, venue=venue))
