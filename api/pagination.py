from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _positive_int(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ValidationError({name: [f"Must be a whole number of 1 or more, not {raw!r}."]})
    return int(raw)


class Pagination(PageNumberPagination):
    """Page numbers and sizes are validated (400), a size above the maximum is capped."""

    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_number(self, request, paginator):
        return _positive_int(request, self.page_query_param) or 1

    def get_page_size(self, request):
        requested = _positive_int(request, self.page_size_query_param)
        return min(requested, self.max_page_size) if requested else self.page_size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Results per page; a larger value is capped to {self.max_page_size}."
        return parameters
