"""WSGI entry point (gunicorn project.wsgi).

Everything a request can need is loaded here, not at a worker's first request: under
gunicorn's ``preload_app`` (gunicorn.conf.py) the master runs this module once and the
workers it forks share what it loaded. ``gc.freeze()`` moves those objects out of the
collector's generations, so that a collection in a worker does not write to (and so copy)
every page of them.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from annotator.text.sentences import helpers_off

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

application = get_wsgi_application()
# The URLconf imports every view, and with them the API, the reports and their numpy.
get_resolver().url_patterns  # noqa: B018
# Sentences are split in the server's own processes (annotator/text/sentences.py).
helpers_off()
gc.freeze()
