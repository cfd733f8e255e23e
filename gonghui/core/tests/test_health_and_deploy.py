import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def test_healthz_reports_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_reports_unreachable_database(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("down")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"


def test_production_settings_pass_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set by the browser tests
        "GONGHUI_ENV": "production",
        "SECRET_KEY": "x" * 20 + "production-secret-for-the-check-only-0123456789",
        "ALLOWED_HOSTS": "gonghui.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/gonghui-deploy-check.sqlite3"),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "PII_ENCRYPTION_KEYS": "1:" + "A" * 43,
        "PII_HASH_KEY": "B" * 43,
        "PORTAL_SMS_BACKEND": "gonghui.portal.sms.BaseSmsBackend",  # stands for a provider's adapter
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"GONGHUI_ENV": "production", "ALLOWED_HOSTS": "x"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_personal_data_keys():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PII_")}
    env.update({"GONGHUI_ENV": "production", "ALLOWED_HOSTS": "x", "SECRET_KEY": "y" * 60})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "PII_ENCRYPTION_KEYS" in result.stderr


def test_deploy_check_refuses_the_console_sms_backend(settings):
    from gonghui.portal.checks import sms_backend_is_real

    settings.PORTAL_SMS_BACKEND = "gonghui.portal.sms.ConsoleBackend"
    assert [w.id for w in sms_backend_is_real(None)] == ["gonghui.W001"]
    settings.PORTAL_SMS_BACKEND = "provider.Adapter"
    assert sms_backend_is_real(None) == []
