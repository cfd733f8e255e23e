from django.conf import settings
from ninja import Schema


class PageParams(Schema):
    page: int = 1
    page_size: int = 50


def page_of(queryset, params: PageParams, serialize):
    size = max(1, min(params.page_size, settings.API_PAGE_SIZE_MAX))
    page = max(1, params.page)
    total = queryset.count()
    start = (page - 1) * size
    rows = list(queryset[start : start + size])
    return {
        "count": total,
        "page": page,
        "page_size": size,
        "has_next": start + size < total,
        "results": [serialize(r) for r in rows],
    }
