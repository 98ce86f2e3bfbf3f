"""Stored free text in PDFs comes out as literal text: markup is shown, never interpreted, and the layout after it
holds (the next sections are still there, the page count stays small)."""

from django.urls import reverse

from tests.comites.factories import CommitteeDecisionFactory, CommitteeMeetingFactory
from tests.pdf import pdf_pages, pdf_text

MARKUP = '<script>alert("x")</script><b>gras</b></td></tr></table><h1>titre</h1>'


def _flat(text):
    return "".join(text.split())


def test_committee_minutes_show_markup_as_text(db, client, world):
    meeting = CommitteeMeetingFactory(structure=world.structure, title=MARKUP[:150])
    CommitteeDecisionFactory(meeting=meeting, text=MARKUP)
    client.force_login(world.facilitateur.user)
    response = client.get(reverse("comites:minutes_pdf", args=[meeting.public_id]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert _flat(MARKUP) in _flat(text)  # the decision's text, whole and literal
    assert "Action" in text  # the table of decisions and actions is still laid out after the markup
    assert pdf_pages(response.content) <= 6
