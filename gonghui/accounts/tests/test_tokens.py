from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from gonghui.accounts.models import ApiToken
from gonghui.accounts.services import api_token_authenticate, api_token_create


def test_command_prints_a_token_that_authenticates(district_officer, capsys):
    call_command("create_api_token", "cy_officer", "--name", "integration")
    raw = capsys.readouterr().out.strip()
    token = api_token_authenticate(raw)
    assert token is not None and token.staff == district_officer
    assert ApiToken.objects.get().digest != raw  # only the hash is stored


def test_forged_expired_and_revoked_tokens_fail(district_officer):
    token, raw = api_token_create(staff=district_officer, name="t")
    assert api_token_authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert api_token_authenticate("not-a-token") is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_token_authenticate(raw) is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None, revoked_at=timezone.now())
    assert api_token_authenticate(raw) is None
