"""Upload checks: the extension must be allowed, the content must match it, and size is capped.

Uploads are never served as HTML: see ``clusters.views.document_download`` for how they go out.
"""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

ZIP = b"PK\x03\x04"
# extension -> (content type sent on download, accepted leading bytes)
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
    "odt": ("application/vnd.oasis.opendocument.text", (ZIP,)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (ZIP,)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
LOGO_TYPES = ("png", "jpg", "jpeg", "webp")


def extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def _check_size(upload) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); at most %(limit)s are allowed."),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )


def _head(upload, length: int = 16) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(length)
    upload.seek(position)
    return head


def validate_document(upload) -> None:
    """Accept PDF, Office/OpenDocument files and images whose content matches their extension."""
    _check_size(upload)
    ext = extension(upload.name)
    if ext not in DOCUMENT_TYPES:
        raise ValidationError(
            _("This file type is not allowed. Allowed: %(allowed)s."),
            code="file_type",
            params={"allowed": ", ".join(sorted(DOCUMENT_TYPES))},
        )
    _content_type, magics = DOCUMENT_TYPES[ext]
    if not any(_head(upload).startswith(magic) for magic in magics):
        raise ValidationError(
            _("The file's content does not match its extension .%(ext)s."), code="file_content", params={"ext": ext}
        )


def validate_logo(upload) -> None:
    """Raster images only (no SVG: it can carry script)."""
    _check_size(upload)
    if extension(upload.name) not in LOGO_TYPES:
        raise ValidationError(
            _("Logos must be PNG, JPEG or WebP images."),
            code="file_type",
        )


def content_type_for(name: str) -> str:
    return DOCUMENT_TYPES.get(extension(name), ("application/octet-stream", ()))[0]
