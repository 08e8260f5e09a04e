from urllib.parse import urlencode

from django.core.paginator import Paginator

PAGE_SIZE = 50


def page_of(request, items, *, extra_query: dict | None = None, per_page: int = PAGE_SIZE):
    """One page of ``items`` (``?page=``) and the links of the DSFR pagination."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = {k: v for k, v in (extra_query or {}).items() if v}

    def url(number):
        return "?" + urlencode({**query, "page": number})

    last = page.paginator.num_pages
    shown = sorted({1, last, *range(max(page.number - 2, 1), min(page.number + 2, last) + 1)})
    links, previous = [], 0
    for number in shown:
        if number - previous > 1:
            links.append({"number": None})
        links.append({"number": number, "url": url(number), "current": number == page.number})
        previous = number
    return page, {
        "links": links,
        "first": url(1) if page.has_previous() else "",
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
        "last": url(last) if page.has_next() else "",
    }
