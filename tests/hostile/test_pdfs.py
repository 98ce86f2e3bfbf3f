"""Stored free text in PDFs comes out as literal text: markup is shown, never interpreted, and the layout after it
holds (the next sections are still there, the page count stays small). Every PDF of the project (grep
`render_pdf`: committee minutes, skills review, skills synthesis, subject access export, bilan) is rendered through
its real view (the bilan through the task's own function, then downloaded), with markup and unusual characters in
each stored text that reaches it, and read back with pdftotext."""

import datetime

import pytest
from django.urls import reverse

from participants.models import Participant
from reporting import services as reporting
from reporting.models import JobStatus, ReportKind
from suivi.enums import ReviewMoment, SkillArea
from tests.comites.factories import CommitteeDecisionFactory, CommitteeMeetingFactory
from tests.pdf import pdf_pages, pdf_text
from tests.suivi.factories import hours
from tests.suivi.factories_skills import SkillsReviewFactory, SkillsReviewItemFactory

MARKUP = '<script>alert("x")</script><b>gras</b></td></tr></table><h1>titre</h1>'
UNICODE = "ÆøßĞŁžΩ“»"  # beyond Latin-1, in the fonts WeasyPrint embeds


def marked(tag):
    """A short stored text (it must fit a table cell on one line): markup, a tag naming the field, unicode."""
    return f"<b>{tag}</b><script>x</script>{UNICODE}"


def _flat(text):
    return "".join(text.split())


def assert_literal(content, texts, after):
    """Every stored text comes out whole and literal; `after`: what the document prints after them."""
    text = _flat(pdf_text(content, layout=False))  # a cell's wrapped lines kept together
    missing = [value for value in texts if _flat(value) not in text]
    assert not missing, f"textes absents ou interprétés : {missing}"
    assert _flat(after) in text, f"la suite du document manque : {after}"
    assert pdf_pages(content) <= 6


def _pdf(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_committee_minutes_show_markup_as_text(db, client, world):
    meeting = CommitteeMeetingFactory(structure=world.structure, title=MARKUP[:150])
    CommitteeDecisionFactory(meeting=meeting, text=MARKUP)
    client.force_login(world.facilitateur.user)
    content = _pdf(client, reverse("comites:minutes_pdf", args=[meeting.public_id]))
    text = pdf_text(content)
    assert _flat(MARKUP) in _flat(text)  # the decision's text, whole and literal
    assert "Action" in text  # the table of decisions and actions is still laid out after the markup
    assert pdf_pages(content) <= 6


@pytest.fixture
def marked_contract(world):
    """Our participant's contract, with markup in every text of the person, the company and the contract."""
    contract = world.contract
    person = contract.participant
    person.first_name, person.last_name = marked("prenom"), marked("nom")
    person.save()
    contract.company.name = marked("entreprise")
    contract.company.save()
    contract.job_title, contract.tutor_name = marked("poste"), marked("tuteur")
    contract.save()
    return contract


def _review(contract, moment, tag):
    review = SkillsReviewFactory(
        contract=contract,
        moment=moment,
        company_person=marked(f"{tag}tuteur"),
        referent_person=marked(f"{tag}referent"),
        participant_comment=f"{MARKUP} {tag} participant {UNICODE}",
        company_comment=f"{MARKUP} {tag} entreprise",
        referent_comment=f"{MARKUP} {tag} référent",
        next_steps=f"{MARKUP} {tag} suites",
    )
    SkillsReviewItemFactory(review=review, area=SkillArea.TECHNIQUE, label=marked("competence"), position=1)
    return review


def test_skills_review_shows_markup_as_text(db, client, world, marked_contract):
    review = _review(marked_contract, ReviewMoment.DEBUT, "debut")
    client.force_login(world.facilitateur.user)
    content = _pdf(client, reverse("suivi:skills_review_pdf", args=[review.public_id]))
    texts = [
        marked("prenom"),
        marked("entreprise"),
        marked("poste"),
        review.company_person,
        review.referent_person,
        marked("competence"),
        review.participant_comment,
        review.company_comment,
        review.referent_comment,
        review.next_steps,
    ]
    assert_literal(content, texts, after="Document édité le")


def test_skills_synthesis_shows_markup_as_text(db, client, world, marked_contract):
    _review(marked_contract, ReviewMoment.DEBUT, "debut")
    end = _review(marked_contract, ReviewMoment.FIN, "fin")
    client.force_login(world.facilitateur.user)
    content = _pdf(client, reverse("suivi:skills_synthesis_pdf", args=[marked_contract.participant.public_id]))
    texts = [marked("prenom"), marked("poste"), marked("entreprise"), marked("tuteur"), marked("competence")]
    assert_literal(content, [*texts, end.next_steps], after="Synthèse éditée le")


def test_subject_access_export_shows_markup_as_text(db, client, world):
    person = Participant.objects.get(pk=world.participant.pk)
    person.first_name, person.last_name, person.city = marked("prenom"), marked("nom"), marked("commune")
    person.referent_name, person.notes = marked("referent"), f"{MARKUP}\nnotes du facilitateur {UNICODE}"
    person.save()
    client.force_login(world.facilitateur.user)
    content = _pdf(client, reverse("suivi:participant_export", args=[person.public_id, "pdf"]))
    texts = [marked("prenom"), marked("nom"), marked("commune"), marked("referent"), person.notes]
    assert_literal(content, texts, after="Consentements")  # the next section, after the identity's notes


def test_bilan_shows_markup_as_text(db, client, world, marked_contract):
    """What the bilan prints of stored text: the buyer, the market, the lot, the company, the job, the structure."""
    world.structure.name = marked("structure")
    world.structure.save()
    market = world.market
    market.buyer.name, market.buyer.city = marked("acheteur"), marked("ville")
    market.buyer.save()
    market.reference, market.title = marked("ref")[:60], marked("marche")
    market.save()
    world.lot.title = marked("lot")
    world.lot.save()
    hours(world.assignment, datetime.date(2026, 3, 1), "35")
    job, _ = reporting.report_request(
        structure=world.structure,
        kind=ReportKind.BILAN_ACHETEUR,
        target=market.buyer,
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
        by=world.facilitateur.user,
    )
    assert reporting.report_run(job.pk) == JobStatus.TERMINE
    client.force_login(world.facilitateur.user)
    response = client.get(reverse("reporting:job_download", args=[job.public_id]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    texts = [
        marked("structure"),
        marked("acheteur"),
        marked("ville"),
        f"{market.reference} — {marked('marche')}",
        marked("lot"),
        marked("entreprise"),
        marked("poste"),
    ]
    assert_literal(content, texts, after="Note méthodologique")
    # Nobody is named in a buyer's bilan, marked up or not.
    printed = _flat(pdf_text(content, layout=False))
    assert _flat(marked("prenom")) not in printed and _flat(marked("nom")) not in printed
