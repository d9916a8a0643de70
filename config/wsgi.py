"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Read the ZIP centroids (~0.5 s) as a worker starts, not during a patient's first nearby search.
from directory.geo import zip_centroid  # noqa: E402

zip_centroid("00000")
