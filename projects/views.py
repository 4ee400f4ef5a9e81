"""Project pages, read-only for members; public projects for everybody."""

from django.http import Http404
from django.shortcuts import render

from clusters.pagecache import page_cached
from clusters.views import document_response
from members.selectors import request_roles

from . import selectors
from .models import Project, ProjectDocument


@page_cached
def project_list(request):
    """Projects the user may see. Context: ``projects``. Template: ``projects/project_list.html``."""
    return render(
        request, "projects/project_list.html", {"projects": selectors.project_list(roles=request_roles(request))}
    )


@page_cached
def project_detail(request, slug):
    """One project with milestones, participants and goals. Context: ``project``.

    Template: ``projects/project_detail.html``.
    """
    try:
        project = selectors.project_detail(slug=slug, roles=request_roles(request))
    except Project.DoesNotExist:
        raise Http404 from None
    return render(request, "projects/project_detail.html", {"project": project})


def project_document(request, pk):
    """Download a project document (as an attachment, never rendered) if the project is visible."""
    try:
        document = selectors.project_document(pk=pk, roles=request_roles(request))
    except ProjectDocument.DoesNotExist:
        raise Http404 from None
    return document_response(document.file)
