"""Public pages: home, the associations, the cooperation agreement."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from members.selectors import request_roles

from . import selectors
from .dashboard import dashboard_build
from .exports import csv_response
from .forms import PeriodForm
from .markup import markdown_to_html
from .models import Cluster, CooperationAgreement, SitePage
from .pagecache import page_cached
from .validators import content_type_for


def health(request):
    """Liveness check for load balancers and the benchmark's bare view: a small fixed page, no queries."""
    return HttpResponse("ok\n", content_type="text/plain")


@page_cached
def home(request):
    """Home page.

    Context: ``events`` (upcoming joint events the user may see), ``clusters`` (with ``member_count``),
    ``agreement`` (the latest, with goals and signatories). Template: ``clusters/home.html``.
    """
    return render(request, "clusters/home.html", selectors.home_data(roles=request_roles(request)))


@page_cached
def cluster_list(request):
    """The three associations. Context: ``clusters``. Template: ``clusters/cluster_list.html``."""
    return render(request, "clusters/cluster_list.html", {"clusters": selectors.clusters_with_counts()})


@page_cached
def cluster_detail(request, slug):
    """One association. Context: ``cluster``, ``upcoming_events``, ``past_events``, ``projects``.

    Template: ``clusters/cluster_detail.html``.
    """
    try:
        data = selectors.cluster_detail(slug=slug, roles=request_roles(request))
    except Cluster.DoesNotExist:
        raise Http404 from None
    return render(request, "clusters/cluster_detail.html", data)


@page_cached
def agreement_detail(request, slug):
    """The agreement: parties, signatories, goals and what serves each goal.

    Context: ``agreement``. Template: ``clusters/agreement_detail.html``.
    """
    try:
        agreement = selectors.agreement_detail(slug=slug, roles=request_roles(request))
    except CooperationAgreement.DoesNotExist:
        raise Http404 from None
    return render(request, "clusters/agreement_detail.html", {"agreement": agreement})


@page_cached
def site_page(request, key):
    """Imprint, privacy notice or accessibility statement as edited by staff.

    Context: ``page``, ``body_html`` (sanitised). Template: ``clusters/site_page.html``.
    """
    page = get_object_or_404(SitePage, key=key)
    return render(request, "clusters/site_page.html", {"page": page, "body_html": markdown_to_html(page.tr("body"))})


def agreement_document(request, slug):
    """The signed agreement as a download, never rendered inline by the browser."""
    agreement = get_object_or_404(CooperationAgreement, slug=slug)
    if not agreement.document:
        raise Http404
    return document_response(agreement.document)


def document_response(field_file) -> FileResponse:
    """Serve an uploaded file as an attachment with a content type derived from its checked extension."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=field_file.name.rsplit("/", 1)[-1],
        content_type=content_type_for(field_file.name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@page_cached
def dashboard(request):
    """The board's cooperation dashboard for a period (board members and superusers only).

    Query string: the ``PeriodForm`` fields, and ``export=<section key>`` for one table as CSV.
    Context: ``form``, ``dashboard`` (sections with table, chart and notes; summary).
    Template: ``clusters/dashboard.html`` (status 400 with the form's errors on bad input).
    """
    if not request_roles(request).sees_dashboard:
        raise PermissionDenied
    form = PeriodForm(request.GET if "kind" in request.GET else PeriodForm.default_data())
    if not form.is_valid():
        return render(request, "clusters/dashboard.html", {"form": form}, status=400)
    board = dashboard_build(period=form.period())
    export = request.GET.get("export")
    if export:
        section = next((s for s in board.sections if s.key == export), None)
        if section is None:
            return HttpResponseBadRequest(_("Unknown table."))
        return csv_response(
            filename=f"{section.key}-{board.period.first_day:%Y%m%d}-{board.period.last_day:%Y%m%d}",
            headers=section.headers,
            rows=section.rows,
        )
    return render(request, "clusters/dashboard.html", {"form": form, "dashboard": board})
