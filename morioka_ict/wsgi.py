import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "morioka_ict.settings")
# Served by gunicorn means production unless told otherwise (see README「本番運用」).
os.environ.setdefault("DJANGO_DEBUG", "0")
application = get_wsgi_application()
