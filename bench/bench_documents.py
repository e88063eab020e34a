"""Official-document rendering: PDF, DOCX and OFD of a 3-page 通知 in the GB/T 9704 layout.

    .venv/bin/python bench/bench_documents.py [-n 5]

Renders the same document n times in each format (after one warm-up that builds the cached
font subsets) and prints the median. The baseline, measured in the same run where LibreOffice
is installed, is converting the DOCX this module wrote to PDF with `soffice --headless`
(a warm profile; median of 3), the route an office without a layout engine would take.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def three_pages():
    from zhengban.documents.content import Paragraph
    from zhengban.documents.render.layout import layout_document
    from zhengban.documents.render.samples import sample_notice

    doc = sample_notice()
    doc.attachments = None
    extra = (
        "各地区、各部门要结合实际，细化工作措施，明确责任分工，确保各项要求落到实处，"
        "切实维护人民群众生命财产安全和社会大局稳定。"
    )
    while len(layout_document(doc).pages) < 3:
        doc.body.insert(-1, Paragraph(extra))
    while len(layout_document(doc).pages) > 3:
        doc.body.pop(-2)
    return doc


def timed(fn, n: int) -> tuple[float, bytes]:
    times, out = [], b""
    for _ in range(n):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


def libreoffice(docx: bytes, n: int = 3) -> float | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    with tempfile.TemporaryDirectory(prefix="zhengban-bench-lo-") as tmp:
        src = Path(tmp) / "notice.docx"
        src.write_bytes(docx)
        profile = f"-env:UserInstallation=file://{tmp}/profile"
        command = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(src)]
        subprocess.run(command, capture_output=True, timeout=300, check=False)  # warm the profile
        times = []
        for _ in range(n):
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, timeout=300, check=True)
            times.append(time.perf_counter() - started)
        return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="renders per format")
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="zhengban-bench-documents-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("ZHENGBAN_VAR_DIR", scratch.name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengban.settings")
    import django

    django.setup()
    from zhengban.documents.render import fonts, render_docx, render_ofd, render_pdf
    from zhengban.documents.render.layout import layout_document

    doc = three_pages()
    started = time.perf_counter()
    render_pdf(doc), render_docx(doc), render_ofd(doc)
    warm = time.perf_counter() - started
    pages = len(layout_document(doc).pages)
    print(
        f"documents bench: a {pages}-page 通知 ({sum(len(p.text) for p in doc.body)} characters "
        f"of body), {args.n} renders per format, Python {sys.version.split()[0]}"
    )
    print(f"{'first render of all three (font caches as found)':<46} {warm:8.2f} s")
    results = {}

    def fresh(fn):
        # each render cuts its own font subsets, as a new document would
        fonts._document_subset.cache_clear()
        return fn(doc)

    for label, fn in (("PDF", render_pdf), ("DOCX", render_docx), ("OFD", render_ofd)):
        seconds, out = timed(lambda fn=fn: fresh(fn), args.n)
        results[label] = (seconds, out)
        print(
            f"{label + ' render (median)':<46} {seconds * 1000:8.0f} ms  {len(out) / 1024:7.0f} KiB"
        )
    base = libreoffice(results["DOCX"][1])
    if base is None:
        print("LibreOffice not installed: no baseline (apt-get install libreoffice-writer-nogui)")
        return
    print(f"{'baseline: LibreOffice DOCX → PDF (median of 3)':<46} {base * 1000:8.0f} ms")
    for label in ("PDF", "DOCX", "OFD"):
        seconds = results[label][0]
        print(f"{label + ' render vs LibreOffice':<46} {base / seconds:8.1f}× faster")


if __name__ == "__main__":
    main()
