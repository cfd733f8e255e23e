"""Sending text messages. A provider is plugged in by naming its class in the
``PORTAL_SMS_BACKEND`` setting; it subclasses :class:`BaseSmsBackend` and implements
``send``. The default prints the message and keeps it in ``ConsoleBackend.outbox``
(like Django's locmem e-mail backend), which is what development and tests read."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from gonghui.core import pii

DEFAULT_BACKEND = "gonghui.portal.sms.ConsoleBackend"
logger = logging.getLogger("gonghui.portal.sms")


class BaseSmsBackend:
    """The adapter point for a real SMS provider."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    outbox: list[tuple[str, str]] = []  # (phone, text), newest last; tests clear it

    def send(self, phone: str, text: str) -> None:
        ConsoleBackend.outbox.append((phone, text))
        logger.info("SMS to %s: %s", pii.mask_phone(phone), text)


def get_backend() -> BaseSmsBackend:
    return import_string(getattr(settings, "PORTAL_SMS_BACKEND", DEFAULT_BACKEND))()
