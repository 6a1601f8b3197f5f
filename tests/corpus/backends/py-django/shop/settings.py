"""Production-style settings: DEBUG off, generic error pages, persistent DB connections, no SQL logging."""
import os
from urllib.parse import urlparse

FLAW = os.environ.get("FLAW", "n-plus-one")
if FLAW not in ("n-plus-one", "sync-workers"):
    raise RuntimeError(f"unknown FLAW {FLAW!r}")

SECRET_KEY = "corpus-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
INSTALLED_APPS = ["shop"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

_db = urlparse(os.environ["DATABASE_URL"])
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _db.path.lstrip("/"),
        "USER": _db.username,
        "PASSWORD": _db.password,
        "HOST": _db.hostname,
        "PORT": _db.port or 5432,
        # Persistent connections: each sync worker keeps its connection across requests (the default, 0,
        # opens and closes one per request).
        "CONN_MAX_AGE": 600,
    }
}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "loggers": {"django": {"handlers": ["console"], "level": "ERROR"}}}
