"""Template helpers of the portal."""

from django import template

register = template.Library()


@register.filter
def tr(obj, field: str) -> str:
    """The German or English text of a translatable field: ``{{ event|tr:"title" }}``."""
    if obj is None:
        return ""
    return obj.tr(field)
