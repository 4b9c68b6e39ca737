"""Password rules whose messages the portal translates itself.

Django's Vietnamese catalogue lags behind its English wording, so its length message would
show in English; this subclass gives the same rule a message from our own catalogue.
"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_error_message(self):
        return ngettext(
            "Choose a longer password: at least %(n)d character.",
            "Choose a longer password: at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}

    def get_help_text(self):
        return ngettext(
            "At least %(n)d character.", "At least %(n)d characters.", self.min_length
        ) % {"n": self.min_length}
