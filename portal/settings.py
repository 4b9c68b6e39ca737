"""Settings for every environment, read from environment variables (see .env.example).

The defaults run the portal on one laptop: SQLite, in-memory cache, Celery tasks run in-process,
mail printed to the console. ``PORTAL_ENV=production`` refuses to start without a secret key,
allowed hosts, a real (non-SQLite) database and the portal's public address.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from accounts.oidc import providers_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PORTAL_ENV = env.str("PORTAL_ENV", default="development")
if PORTAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("PORTAL_ENV must be 'development' or 'production'.")
PRODUCTION = PORTAL_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production refuses a default key.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS in production.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.headless",
    "portal",
    "accounts",
    "procedures",
    "dossiers",
    "payments",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.staff.AdminSecondFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if PRODUCTION and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    raise ImproperlyConfigured(
        "Set DATABASE_URL=postgres://… in production; SQLite is for laptops."
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "portal.cache_backend.PooledRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# How long a rendered catalogue answer may be served from the cache. Any catalogue edit bumps
# the cache generation, so this only bounds memory, never staleness.
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=600)
# Sessions (browser cookies and the API's X-Session-Token alike) are read from the cache and
# written through to the database: a signed-in request costs no session query, and a restart of
# Redis logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
# Without a real broker, tasks run in-process so the laptop set-up needs no worker.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing a task while the broker is down gives up within about a second: the officer's step
# is already committed, and the outbox sweep queues what could not be queued.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 10}
# Celery 6's default: a task whose broker connection is lost is cancelled and redelivered (its
# late ack cannot be sent); the tasks are idempotent, so running again is safe.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

# --- Accounts (django-allauth) ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "portal.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Log in with a phone number or an email. Phones are stored as +84XXXXXXXXX (accounts/phone.py),
# so "0912 345 678" and "+84912345678" are the same account.
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
# Sign-up asks for a phone number, an email or both: at least one (accounts.forms.SignupExtraForm),
# so allauth's check that one log-in field is required (account.W001) is silenced. Mandatory
# email verification needs the email.
ACCOUNT_SIGNUP_FIELDS = [
    "phone",
    "email*" if ACCOUNT_EMAIL_VERIFICATION == "mandatory" else "email",
    "password1*",
    "password2*",
]
SILENCED_SYSTEM_CHECKS = ["account.W001"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.allauth_forms.LoginForm",
    "signup": "accounts.allauth_forms.SignupForm",
    "add_email": "accounts.allauth_forms.AddEmailForm",
    "reset_password": "accounts.allauth_forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.allauth_forms.ResetPasswordKeyForm",
    "verify_phone": "accounts.allauth_forms.VerifyPhoneForm",
    "change_phone": "accounts.allauth_forms.ChangePhoneForm",
    "reauthenticate": "accounts.allauth_forms.ReauthenticateForm",
}
# A phone number is confirmed by a 6-digit SMS code before it can log in.
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
# Shared and public devices are common: the session ends when the browser closes.
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # our subjects name the portal, in the person's language
# One email per account: a new address replaces the old one once confirmed (and replaces the
# stand-in address of a phone-only account, see accounts.models.placeholder_email).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
LOGIN_REDIRECT_URL = "/"
HEADLESS_CLIENTS = ("app", "browser")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Officers and admins must have TOTP before any staff page, the admin or a staff endpoint
# answers (accounts/staff.py). Only for local experiments: STAFF_REQUIRE_MFA=false.
STAFF_REQUIRE_MFA = env.bool("STAFF_REQUIRE_MFA", default=True)
MFA_TOTP_ISSUER = "Cổng Dịch vụ công"
# VNeID (OpenID Connect) only when VNEID_OIDC_CLIENT_ID, _CLIENT_SECRET and _SERVER_URL are set.
SOCIALACCOUNT_PROVIDERS = providers_from_env(env.ENVIRON)
# Text messages (verification codes and notifications): printed to the console until a gateway
# is set: "notifications.sms.HttpBackend" (SMS_GATEWAY_*) in production, or
# "notifications.sms.LoggingBackend" to write them to the log.
SMS_BACKEND = env.str("SMS_BACKEND", default="accounts.sms.ConsoleBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_SENDER = env.str("SMS_GATEWAY_SENDER", default="DVC")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)
# Unicode SMS (with diacritics) cost as much as two or three plain ones; off by default.
SMS_UNICODE = env.bool("SMS_UNICODE", default=False)
if SMS_BACKEND == "notifications.sms.HttpBackend" and not SMS_GATEWAY_URL:
    raise ImproperlyConfigured("Set SMS_GATEWAY_URL to use notifications.sms.HttpBackend.")

# --- Notifications (notifications/) ------------------------------------------------------------
# A notification whose sending fails is tried again after 1, 2, 4… minutes, this many times in
# all, then marked failed (the admin's "Notifications" list shows it, with "send again").
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)

# --- Mail ------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng Dịch vụ công <noreply@localhost>")

# --- Internationalisation and time -----------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

# Working-day calendar (Decree 118/2025): office hours and the same-day cut-off, local time.
PORTAL_WORKING_HOURS = env.list("PORTAL_WORKING_HOURS", default=["07:00-11:30", "13:30-17:00"])
PORTAL_SAME_DAY_CUTOFF = env.str("PORTAL_SAME_DAY_CUTOFF", default="15:00")

# --- Static and media files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Digital signatures (dossiers/signing.py) -------------------------------------------------
# The public address of the portal: QR codes on signed documents link to <this>/verify/<code>.
PORTAL_BASE_URL = env.str(
    "PORTAL_BASE_URL", default="" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")
if PRODUCTION and not PORTAL_BASE_URL.startswith(("https://", "http://")):
    # Printed for good on every signed document: never a laptop address by accident.
    raise ImproperlyConfigured("Set PORTAL_BASE_URL (https://…) in production.")
# One PKCS#12 file per agency, named <unit code>.p12 (`manage.py make_dev_pki` for laptops).
SIGNING_KEY_DIR = env.path("SIGNING_KEY_DIR", default=BASE_DIR / "var" / "pki")
# The passphrase of every agency's file, unless SIGNING_PASSPHRASE_<unit code, dots as _> is set.
SIGNING_PASSPHRASE = env.str("SIGNING_PASSPHRASE", default="" if PRODUCTION else "dev-pki-only")
SIGNING_PASSPHRASES = {
    name.removeprefix("SIGNING_PASSPHRASE_").replace("_", "."): value
    for name, value in env.ENVIRON.items()
    if name.startswith("SIGNING_PASSPHRASE_")
}
# PEM files of the CAs whose certificates the verification page trusts (default: the dev root).
SIGNING_TRUST_ROOTS = env.list("SIGNING_TRUST_ROOTS", default=[])
# An RFC 3161 timestamp server makes the signatures PAdES B-T instead of B-B.
SIGNING_TIMESTAMP_URL = env.str("SIGNING_TIMESTAMP_URL", default="")
SIGNING_FONT = env.str(
    "SIGNING_FONT", default="/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
)

# --- Payments (payments/) ---------------------------------------------------------------------
# VNPay: the terminal code and secret VNPay gives the province; the IPN address to register in
# VNPay's merchant portal is <PORTAL_BASE_URL>/payments/vnpay/ipn/. Not offered when unset.
VNPAY_TMN_CODE = env.str("VNPAY_TMN_CODE", default="")
VNPAY_HASH_SECRET = env.str("VNPAY_HASH_SECRET", default="")
VNPAY_PAYMENT_URL = env.str(
    "VNPAY_PAYMENT_URL", default="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
)
if VNPAY_TMN_CODE and not VNPAY_HASH_SECRET:
    raise ImproperlyConfigured("Set VNPAY_HASH_SECRET with VNPAY_TMN_CODE.")
# The test gateway inside the portal (same signed protocol; the payer approves or declines).
# On laptops and in tests only: production refuses to start with it.
PAYMENT_SANDBOX = env.bool("PAYMENT_SANDBOX", default=not PRODUCTION)
PAYMENT_SANDBOX_SECRET = env.str(
    "PAYMENT_SANDBOX_SECRET", default="" if PRODUCTION else "sandbox-secret-not-for-production"
)
if PAYMENT_SANDBOX and PRODUCTION:
    # It settles real fees with no money and gets them an agency-signed receipt.
    raise ImproperlyConfigured("The test payment gateway (PAYMENT_SANDBOX) is not for production.")
if PAYMENT_SANDBOX and not PAYMENT_SANDBOX_SECRET:
    raise ImproperlyConfigured("Set PAYMENT_SANDBOX_SECRET, or PAYMENT_SANDBOX=false.")
# An online payment not confirmed within this time is closed (vnp_ExpireDate, then the sweep).
PAYMENT_EXPIRY_MINUTES = env.int("PAYMENT_EXPIRY_MINUTES", default=15)

# Periodic tasks, run by `celery -A portal beat` (docker-compose.yml). Without a broker
# (`make run`) nothing is scheduled; the sweeps are idempotent and can be run by hand.
CELERY_BEAT_SCHEDULE = {
    "payments-expire": {"task": "payments.tasks.expire_payments", "schedule": 300.0},
    "payments-receipts": {"task": "payments.tasks.reissue_receipts", "schedule": 900.0},
    "notifications-sweep": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    "notifications-deadlines": {
        "task": "notifications.tasks.scan_deadlines",
        "schedule": crontab(minute=5),  # hourly
    },
    "notifications-drafts": {
        "task": "notifications.tasks.remind_drafts",
        "schedule": crontab(hour=9, minute=0),  # daily, local time (CELERY_TIMEZONE)
    },
    "notifications-digests": {
        "task": "notifications.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),  # before the offices open
    },
}

# Uploads above this size are streamed to a temporary file, so memory stays flat.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "allauth.headless.contrib.rest_framework.authentication.XSessionTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.Pagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # Public dossier lookup by code + CCCD: slow enough to make guessing pointless.
        "lookup": env.str("LOOKUP_THROTTLE_RATE", default="10/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cổng Dịch vụ công API",
    "DESCRIPTION": "Public REST API of the online public-service portal (catalogue first).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set used in several places.
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "dossiers.constants.Status",
        "ChannelEnum": "procedures.constants.Channel",
        "CounterChannelEnum": "dossiers.api.intake.COUNTER_CHANNELS",
        "NotificationKindEnum": "notifications.constants.Kind",
        "KindEnum": "dossiers.constants.StoredKind",  # the stored document's kind, as before
    },
}

# --- Security (production) -------------------------------------------------------------------
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # fontTools reports every font it subsets for the signature box: not news.
    "loggers": {"fontTools": {"level": "WARNING"}},
}
