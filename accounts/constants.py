"""Roles of the people who use the portal."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")  # files dossiers for self or an organisation
    OFFICER = "officer", _("Officer")  # works for one agency: receives and processes dossiers
    ADMIN = "admin", _("Administrator")  # configures agencies, procedures, fees and accounts


class Sex(models.TextChoices):
    """As printed on the CCCD; the 4th digit of the number encodes it."""

    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
