"""Model fields shared by the apps."""

from django.db import models


class WebsiteField(models.URLField):
    """A URL field whose form treats an address typed without a scheme as https (Django 6 behaviour)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})
