"""Files people upload as evidence (an appeal's photos, a hardship file's certificates, a
mutual-aid claim's hospital bills): photos or PDFs only, judged by their content and not
their name, at most 10 MB, stored under a name of ours through Django's storage API (object
storage in production)."""

import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# What a file's first bytes say it is: only photos and PDFs are accepted, whatever its name.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/pdf": ".pdf",
    "image/gif": ".gif",
    "image/webp": ".webp",
}


def sniff_content_type(head: bytes) -> str | None:
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_attachment(upload) -> tuple[str, bytes]:
    """Validate one uploaded file; returns (content type, content). Raises a
    ValidationError naming the file for a file too large, empty, or not a photo/PDF."""
    name = getattr(upload, "name", "") or _("附件")
    size = getattr(upload, "size", None)
    if size is not None and size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("附件“%(name)s”超过10MB，请压缩后再上传。") % {"name": name}, code="attachment_size")
    content = upload.read(ATTACHMENT_MAX_BYTES + 1)
    if len(content) > ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("附件“%(name)s”超过10MB，请压缩后再上传。") % {"name": name}, code="attachment_size")
    if not content:
        raise ValidationError(_("附件“%(name)s”是空文件。") % {"name": name}, code="attachment_empty")
    kind = sniff_content_type(content[:16])
    if kind is None:
        raise ValidationError(
            _("附件“%(name)s”不是图片或PDF文件（按文件内容判断），不能上传。") % {"name": name}, code="attachment_type"
        )
    return kind, content


def stored_name(prefix: str, kind: str) -> str:
    """The name a file is stored under: ours (a reference + random + the extension of its
    real type), never the upload's."""
    return f"{prefix}-{secrets.token_hex(6)}{EXTENSIONS[kind]}"
