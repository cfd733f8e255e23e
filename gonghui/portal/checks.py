from django.conf import settings
from django.core.checks import Warning, register

from gonghui.portal.sms import DEFAULT_BACKEND


@register(deploy=True)
def sms_backend_is_real(app_configs, **kwargs):
    """The console backend writes sign-in codes to the log: fine on a laptop, not in production."""
    backend = getattr(settings, "PORTAL_SMS_BACKEND", DEFAULT_BACKEND)
    if backend == DEFAULT_BACKEND:
        return [
            Warning(
                "PORTAL_SMS_BACKEND is the console backend: members' sign-in codes would go to the log.",
                hint="Set PORTAL_SMS_BACKEND to an adapter for the SMS provider (a subclass of BaseSmsBackend).",
                id="gonghui.W001",
            )
        ]
    return []
