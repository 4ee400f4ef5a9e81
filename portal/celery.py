"""The Celery app. Settings come from Django's settings under the ``CELERY_`` namespace.

Without ``CELERY_BROKER_URL`` tasks run in-process (``task_always_eager``): the embedded demo only.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
