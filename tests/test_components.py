"""The reusable pieces of the interface (templates/components, clauses/templatetags/ui.py)."""

from django.template import Context, RequestContext, Template
from django.test import RequestFactory

from clauses.pagination import paginate


def render(source, **context):
    return Template("{% load ui %}" + source).render(Context(context))


def test_progress_bar_says_the_figures_in_words_and_caps_the_bar():
    html = render("{% progress_bar done required 'Heures' %}", done=2500, required=2000)
    assert "2\u202f500\u00a0h" in html and "2\u202f000\u00a0h" in html
    assert "125\u00a0%" in html and "objectif atteint" in html
    assert 'style="width: 100.00%"' in html and 'aria-valuenow="100"' in html


def test_progress_bar_without_requirement():
    html = render("{% progress_bar 10 0 %}")
    assert "aucune heure exigée" in html and "bg-secondary" in html


def test_status_badge_always_has_text_and_a_known_tone():
    html = render('{% status_badge "Attribué" "inconnu" "check" %}')
    assert "Attribué" in html and "status-secondary" in html and "bi-check" in html


def test_pagination_keeps_filters_and_elides_pages():
    request = RequestFactory().get("/organisations/", {"q": "mission", "page": "10"})
    page = paginate(request, list(range(500)), per_page=10)
    template = Template('{% include "components/pagination.html" with page=page %}')
    html = template.render(RequestContext(request, {"page": page}))
    assert "91 à 100 sur 500" in html
    assert "?q=mission&amp;page=11" in html
    assert "…" in html
    single = paginate(request, list(range(5)), per_page=10)
    assert template.render(RequestContext(request, {"page": single})).strip() == ""


def test_empty_state_shows_its_action():
    html = Template(
        '{% include "components/empty_state.html" with title="Rien" action_url="/x/" action_label="Ajouter" %}'
    ).render(Context({}))
    assert "Rien" in html and 'href="/x/"' in html and "Ajouter" in html
