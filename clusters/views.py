"""Public pages: home, the associations, the cooperation agreement."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from members.selectors import request_roles

from . import selectors
from .models import Cluster, CooperationAgreement
from .validators import content_type_for


def home(request):
    """Home page.

    Context: ``events`` (upcoming joint events the user may see), ``clusters`` (with ``member_count``),
    ``agreement`` (the latest, with goals and signatories). Template: ``clusters/home.html``.
    """
    return render(request, "clusters/home.html", selectors.home_data(roles=request_roles(request)))


def cluster_list(request):
    """The three associations. Context: ``clusters``. Template: ``clusters/cluster_list.html``."""
    return render(request, "clusters/cluster_list.html", {"clusters": selectors.clusters_with_counts()})


def cluster_detail(request, slug):
    """One association. Context: ``cluster``, ``upcoming_events``, ``past_events``, ``projects``.

    Template: ``clusters/cluster_detail.html``.
    """
    try:
        data = selectors.cluster_detail(slug=slug, roles=request_roles(request))
    except Cluster.DoesNotExist:
        raise Http404 from None
    return render(request, "clusters/cluster_detail.html", data)


def agreement_detail(request, slug):
    """The agreement: parties, signatories, goals and what serves each goal.

    Context: ``agreement``. Template: ``clusters/agreement_detail.html``.
    """
    try:
        agreement = selectors.agreement_detail(slug=slug, roles=request_roles(request))
    except CooperationAgreement.DoesNotExist:
        raise Http404 from None
    return render(request, "clusters/agreement_detail.html", {"agreement": agreement})


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
