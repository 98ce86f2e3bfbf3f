import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauses.settings")

app = Celery("clauses")
# Every CELERY_* setting of clauses/settings.py (broker, eager mode, limits, beat schedule).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
