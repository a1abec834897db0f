"""Production: every secret from the environment; refuse to start without them."""

from django.core.exceptions import ImproperlyConfigured

from partnerhub.settings.base import *

if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set")
if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
