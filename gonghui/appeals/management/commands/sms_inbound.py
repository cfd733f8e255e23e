"""Feed one incoming text message to the 12351 SMS channel, as the gateway would:

manage.py sms_inbound 13912345678 "公司拖欠工资三个月了"
manage.py sms_inbound 13912345678 "查询261121407193"
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gonghui.appeals.sms_inbound import sms_receive


class Command(BaseCommand):
    help = "Receive one SMS for the 12351 appeals channel (console/dev gateway)."

    def add_arguments(self, parser):
        parser.add_argument("sender")
        parser.add_argument("text")

    def handle(self, *args, sender, text, **options):
        try:
            result = sms_receive(sender=sender, text=text)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        self.stdout.write(result["reply"])
