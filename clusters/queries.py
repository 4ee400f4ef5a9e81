"""Query expressions shared by the apps."""

from django.db.models import IntegerField, Subquery


class SubqueryCount(Subquery):
    """``(SELECT COUNT(*) FROM (<subquery>))``: a correlated count without join fan-out."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()
