"""Files an organiser uploads to preview before confirming: the confirmation posts them back (base64 in hidden
fields) with the fingerprint of the preview it confirms, so nothing is kept on the server in between and any worker
can take it; the service redoes everything and acts only if the result is still the one previewed."""
import base64
import binascii

from app.errors import AppError

MAX_FILES = 20


class UploadRefused(AppError):
    status, code = 400, "upload_refused"


def encoded(data: bytes) -> str:
    """A file's bytes as the confirmation form carries them."""
    return base64.b64encode(data).decode()


def posted_back(names: list[str], data: list[str]) -> list[tuple[str, bytes]]:
    """The (name, bytes) of the files a confirmation posted back; UploadRefused when they do not read."""
    if len(names) != len(data):
        raise UploadRefused("确认的内容不完整，请重新上传文件。")
    try:
        files = [(name, base64.b64decode(text, validate=True)) for name, text in zip(names, data, strict=True)]
    except binascii.Error:
        raise UploadRefused("确认的内容已损坏，请重新上传文件。") from None
    return bounded(files)


def bounded(files: list) -> list:
    """At least one file, and not too many."""
    if not files:
        raise UploadRefused("请选择要上传的文件。")
    if len(files) > MAX_FILES:
        raise UploadRefused(f"一次最多上传 {MAX_FILES} 个文件。")
    return files
