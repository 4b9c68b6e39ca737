"""Choices of the catalogue, each with its meaning."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Administrative level of an agency or of the procedure's competent authority."""

    PROVINCE = "province", _("Province")  # cấp tỉnh
    COMMUNE = "commune", _("Commune")  # cấp xã
    DISTRICT = "district", _("District (legacy)")  # abolished 1 Jul 2025; old data only


class ServiceLevel(models.TextChoices):
    """How much of the procedure can be done online."""

    FULL = "full", _("Fully online")  # DVCTT toàn trình: filing, payment, result online
    PARTIAL = "partial", _("Partly online")  # DVCTT một phần: something needs the counter
    OFFLINE = "offline", _("Information only")  # file at the counter


class Channel(models.IntegerChoices):
    """How a dossier reaches the agency (national synchronisation codes)."""

    COUNTER = 1, _("At the counter")
    ONLINE = 2, _("Online")
    POSTAL = 3, _("By post")


class FieldType(models.TextChoices):
    """Types of the fields of a procedure's own form."""

    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    CHECKBOX = "checkbox", _("Checkbox")
    CCCD = "cccd", _("Citizen ID (CCCD)")
    PHONE = "phone", _("Phone number")
    EMAIL = "email", _("Email")
    ADDRESS = "address", _("Address")


class DayKind(models.TextChoices):
    """What a dated entry of the calendar does to a day."""

    HOLIDAY = "holiday", _("Public holiday (day off)")
    WORKDAY = "workday", _("Make-up working day (a weekend day worked)")


# File formats a paper may be uploaded in; each is recognised by its content, not its name.
FILE_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
}
