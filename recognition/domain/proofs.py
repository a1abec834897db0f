"""Which proof-of-performance files a claim accepts: the type is read from the file's first bytes (never trusted from
its name or the browser's word), and the name's extension must agree with it. Pure: bytes in, a verdict out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProofType:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = ProofType("pdf", "PDF", "application/pdf", (".pdf",))
PNG = ProofType("png", "PNG image", "image/png", (".png",))
JPEG = ProofType("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg"))
XLSX = ProofType(
    "xlsx", "Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
)
CSV = ProofType("csv", "CSV table", "text/csv", (".csv",))
ACCEPTED = (PDF, PNG, JPEG, XLSX, CSV)
ACCEPTED_LABEL = "PDF, PNG, JPEG, XLSX or CSV"


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


def sniff(head: bytes, name: str) -> ProofType | None:
    """The accepted type of a file from its first bytes (at least 512 of them) and its name, or None."""
    ext = _extension(name)
    if head.startswith(b"%PDF-"):
        found: ProofType | None = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head.startswith(b"PK\x03\x04"):
        found = XLSX if ext == ".xlsx" else None  # a zip: only a workbook named as one
    elif ext == ".csv" and _looks_like_text(head):
        found = CSV
    else:
        found = None
    if found is None or ext not in found.extensions:
        return None
    return found
