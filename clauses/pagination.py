from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page=None, param="page"):
    """The page of `queryset` asked for by ?page= (or `param` when a page has two lists); a wrong or too large
    number gives the nearest page. The page carries `elided_range` (1 … 4 5 6 … 20) and `param` for
    components/pagination.html."""
    page = Paginator(queryset, per_page or settings.PAGINATE_BY).get_page(request.GET.get(param))
    page.elided_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    page.param = param
    return page
