"""Rendering official documents in the GB/T 9704-2012 layout: PDF, DOCX and OFD.

`layout.py` lays a document out once (pages of positioned runs, rules and pictures); `pdf.py`
and `ofd.py` draw that layout, so the two fixed formats agree to the glyph. `docx.py` writes
the same content as a flowing Word document set up on the same grid.
"""

from ..content import OfficialDocument


def render_pdf(doc: OfficialDocument, *, seal_png: bytes | None = None) -> bytes:
    from .layout import layout_document
    from .pdf import layout_to_pdf

    return layout_to_pdf(layout_document(doc, seal_png=seal_png))


def render_ofd(doc: OfficialDocument, *, seal_png: bytes | None = None) -> bytes:
    from .layout import layout_document
    from .ofd import layout_to_ofd

    return layout_to_ofd(layout_document(doc, seal_png=seal_png), doc)


def render_docx(doc: OfficialDocument) -> bytes:
    from .docx import document_to_docx

    return document_to_docx(doc)
