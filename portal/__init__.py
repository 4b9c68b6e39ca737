"""Project package: settings, URLs, the Celery app and helpers shared by every app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
