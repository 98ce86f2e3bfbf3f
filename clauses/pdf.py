"""PDF documents of Clauses (skills follow-up, committee minutes, bilans): a Django template rendered by WeasyPrint.

Templates extend `pdf/base.html`, which carries the page layout (A4, margins, running footer with page numbers) and
the print styles. Nothing is fetched over the network: the stylesheet is inline and images must be inline SVG or
data URIs.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify


def render_pdf(template_name: str, context: dict) -> bytes:
    """The PDF bytes of `template_name` rendered with `context`."""
    from weasyprint import HTML  # imported on use: half a second, and only the PDF views need it

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None).write_pdf()


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """A PDF download; `filename` is made safe for the header (accents and spaces dropped)."""
    stem = slugify(filename.removesuffix(".pdf")) or "document"
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{stem}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
