"""Gonghui settings.

Everything that differs between a laptop and a production server comes from environment
variables with typed defaults (django-environ). The defaults are the *embedded* set-up:
SQLite in ``var/``, an in-process cache and task runner, DEBUG on. Production sets
``GONGHUI_ENV=production`` plus the variables listed in README.md; ``manage.py check
--deploy`` then passes.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)  # optional; never committed

GONGHUI_ENV = env.str("GONGHUI_ENV", default="development")
PRODUCTION = GONGHUI_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # required: no default in production
else:
    # A development-only key; production refuses to start without SECRET_KEY.
    SECRET_KEY = env.str("SECRET_KEY", default="gonghui-development-only-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "gonghui.core.admin_apps.GonghuiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "treebeard",
    "ninja",
    "gonghui.core",
    "gonghui.orgs",
    "gonghui.accounts",
    "gonghui.members",
    "gonghui.imports",
    "gonghui.cards",
    "gonghui.portal",
    "gonghui.kiosk",
    "gonghui.fund",
    "gonghui.hardship",
    "gonghui.mutualaid",
    "gonghui.mediation",
    "gonghui.appeals",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gonghui.accounts.middleware.StaffSessionMiddleware",
    "gonghui.core.middleware.OrgScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"
ASGI_APPLICATION = "gonghui.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# One variable chooses the database. Unset: the embedded SQLite file in var/.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'gonghui.sqlite3'}"),
}
VAR_DIR.mkdir(exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers proceed while one writer writes; IMMEDIATE makes a write
            # transaction take the lock up front instead of failing half-way with
            # "database is locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 60,  # a large import holds the write lock for seconds; others wait
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env.str("SQLITE_TEST_NAME", default="") or None}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Background tasks (huey) -----------------------------------------------------------
# Production: Redis queue, workers run `manage.py run_huey`. Embedded default: a SQLite
# queue in var/ whose consumer runs inside the web process (`manage.py serve`). Tests run
# tasks immediately, in the calling thread, through the same code.
TASKS_IMMEDIATE = env.bool("TASKS_IMMEDIATE", default=False)
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "gonghui", "url": REDIS_URL, "immediate": TASKS_IMMEDIATE}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gonghui",
        "filename": str(VAR_DIR / "tasks.sqlite3"),
        "immediate": TASKS_IMMEDIATE,
    }

# --- Authentication and sessions -----------------------------------------------------
AUTH_USER_MODEL = "accounts.Staff"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "gonghui.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
# Idle timeout: every request renews the session, so it ends 30 minutes after the last one.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_LOCKOUT_THRESHOLD = 5
LOGIN_LOCKOUT_DURATION = timedelta(minutes=15)
OTP_TOTP_ISSUER = "Gonghui 工会"

# --- Security (production) -----------------------------------------------------------
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["security.W021"])  # HSTS preload is opt-in

# --- Internationalisation: Chinese first, English second -----------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files: all served by the platform itself (intranet) --------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Gonghui ------------------------------------------------------------------------
# Roles that must pass TOTP two-factor authentication before the session is usable.
GONGHUI_2FA_ROLES = ("unit_admin", "sysadmin")
API_PAGE_SIZE_MAX = 200
AUTHENTICATION_BACKENDS = ["gonghui.accounts.backends.StaffBackend"]
FORMAT_MODULE_PATH = ["gonghui.formats"]

# --- Member portal ----------------------------------------------------------------------
# Dotted path of the SMS adapter (a subclass of gonghui.portal.sms.BaseSmsBackend). The
# console backend logs the codes and is refused by `check --deploy`.
PORTAL_SMS_BACKEND = env.str("PORTAL_SMS_BACKEND", default="gonghui.portal.sms.ConsoleBackend")
# Shared secret the SMS gateway sends (X-SMS-Gateway-Token) with each incoming message for
# /api/v1/sms/inbound (12351 appeals by text). Empty: the endpoint accepts nothing.
SMS_INBOUND_TOKEN = env.str("SMS_INBOUND_TOKEN", default="")

# --- Self-service kiosk (枫桥智能舱) --------------------------------------------------------
# The video-conference address sent by SMS to both sides of a remote mediation; "{room}" is
# replaced by the request's own random room name.
KIOSK_VIDEO_MEETING_URL = env.str("KIOSK_VIDEO_MEETING_URL", default="https://meet.example.invalid/{room}")
# Seconds without a touch after which the kiosk screen returns to its start and forgets
# everything entered or shown.
KIOSK_IDLE_SECONDS = env.int("KIOSK_IDLE_SECONDS", default=60)

# --- Labour-dispute mediation (劳动争议调解) ----------------------------------------------
# The CJK font embedded (subset) in the mediation agreement PDF: Debian's fonts-wqy-microhei
# (Apache-2.0), installed by scripts/bootstrap.sh; a .ttc takes MEDIATION_PDF_FONT_INDEX.
MEDIATION_PDF_FONT = env.str("MEDIATION_PDF_FONT", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
MEDIATION_PDF_FONT_INDEX = env.int("MEDIATION_PDF_FONT_INDEX", default=0)

# --- Personal data (ID numbers, phones): see core/pii.py ------------------------------
# Comma-separated "id:base64(32 random bytes)"; the first encrypts, all decrypt.
# Generate: python -c "import os,base64;print('1:'+base64.urlsafe_b64encode(os.urandom(32)).decode())"
PII_ENCRYPTION_KEYS = env.str("PII_ENCRYPTION_KEYS", default="")
PII_HASH_KEY = env.str("PII_HASH_KEY", default="")
if PRODUCTION and not (PII_ENCRYPTION_KEYS and PII_HASH_KEY):
    raise environ.ImproperlyConfigured("PII_ENCRYPTION_KEYS and PII_HASH_KEY are required in production")
