"""Roles of the people who use the portal."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")  # files dossiers for self or an organisation
    OFFICER = "officer", _("Officer")  # works for one agency: receives and processes dossiers
    ADMIN = "admin", _("Administrator")  # configures agencies, procedures, fees and accounts


class Duty(models.TextChoices):
    """What an officer does at the agency (Decree 118/2025: the one-stop counter, the specialist
    behind it, the leader who signs)."""

    INTAKE = "intake", _("Intake (one-stop counter)")  # tiếp nhận: receives, asks, refuses, returns
    SPECIALIST = "specialist", _("Specialist")  # chuyên viên xử lý: processes
    LEADER = "leader", _("Leader")  # lãnh đạo phê duyệt: assigns, approves, transfers


class Sex(models.TextChoices):
    """As printed on the CCCD; the 4th digit of the number encodes it."""

    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
