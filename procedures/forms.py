"""The public catalogue's search and filter form."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from procedures import cache
from procedures.constants import Level, ServiceLevel
from procedures.selectors import agencies_with_procedures, sectors_with_counts


class CatalogueFilterForm(forms.Form):
    """Search words and filters of the catalogue page; every choice is validated."""

    q = forms.CharField(
        label=_("Search procedures"),
        required=False,
        max_length=100,
        help_text=_("A name or a code, with or without accents, e.g. “khai sinh”."),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "aria-describedby": "id_q-help"}
        ),
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices[:2]]
    )
    service_level = forms.ChoiceField(
        label=_("Online service"),
        required=False,
        choices=[("", _("All")), *ServiceLevel.choices],
    )
    agency = forms.ChoiceField(label=_("Agency"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language()
        self.fields["sector"].choices = [("", _("All sectors"))] + cache.remember(
            f"sector-choices:{language}",
            lambda: [(s.code, f"{s.display_name} ({s.count})") for s in sectors_with_counts()],
        )
        self.fields["agency"].choices = [("", _("All agencies"))] + cache.remember(
            f"agency-choices:{language}",
            lambda: [(a.code, a.display_name) for a in agencies_with_procedures()],
        )

    def filters(self) -> dict[str, str]:
        """The selector's keyword arguments; call only when the form is valid."""
        data = self.cleaned_data
        return {
            "search": data["q"],
            "sector": data["sector"],
            "level": data["level"],
            "service_level": data["service_level"],
            "agency": data["agency"],
        }

    @property
    def active(self) -> bool:
        return self.is_valid() and any(self.filters().values())
