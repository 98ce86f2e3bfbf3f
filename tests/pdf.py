"""Reading generated PDFs back as the person receiving them would: their text, through poppler's pdftotext."""

import subprocess


def pdf_text(content: bytes, *, layout: bool = True) -> str:
    """The text of a PDF (layout kept), as `pdftotext -layout` extracts it; `layout=False`: in the order it is
    drawn (`-raw`), where a table cell's wrapped lines follow one another instead of sharing lines with the next
    columns."""
    assert content.startswith(b"%PDF-"), "ce n'est pas un PDF"
    result = subprocess.run(
        ["pdftotext", "-layout" if layout else "-raw", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()


def pdf_pages(content: bytes) -> int:
    result = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True)
    for line in result.stdout.decode().splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo ne donne pas le nombre de pages")
