"""Query parameters of the catalogue API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from procedures.constants import Level, ServiceLevel


class ProcedureFilter(django_filters.FilterSet):
    """Filters map onto ``catalogue_procedures``; codes are validated, unknown values are 400."""

    search = django_filters.CharFilter(
        method="noop",
        max_length=100,
        help_text=_("Words of the name or the code; accents optional."),
    )
    sector = django_filters.CharFilter(method="noop", max_length=30, help_text=_("Sector code."))
    level = django_filters.ChoiceFilter(method="noop", choices=Level.choices)
    service_level = django_filters.ChoiceFilter(method="noop", choices=ServiceLevel.choices)
    agency = django_filters.CharFilter(
        method="noop", max_length=20, help_text=_("Agency unit code.")
    )

    def noop(self, queryset, name, value):
        # The selector applies every filter at once; the FilterSet only validates and documents.
        return queryset
