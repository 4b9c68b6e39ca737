"""The portal's user: one model for citizens, officers and admins, logging in by email or phone."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.constants import Duty, Role, Sex
from accounts.identity import validate_cccd
from accounts.phone import format_phone

# A person may sign up with a phone number only (or with VNeID), yet ``email`` is unique and
# required. Such an account gets a unique address in the reserved ".invalid" domain (RFC 2606:
# never delivered); it is never shown (``contact_email``), never mailed (the allauth adapter)
# and cannot be typed in by anyone (``AccountAdapter.clean_email``).
PLACEHOLDER_EMAIL_DOMAIN = "khong-co-email.invalid"


def placeholder_email() -> str:
    """A fresh, unique stand-in address for an account without email."""
    return f"noemail-{secrets.token_hex(8)}@{PLACEHOLDER_EMAIL_DOMAIN}"


def is_placeholder_email(email: str | None) -> bool:
    return bool(email) and email.lower().endswith("@" + PLACEHOLDER_EMAIL_DOMAIN)


class PortalUserManager(UserManager):
    """Creates users identified by email (there is no username)."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account. Officers belong to exactly one agency."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    id_number = models.CharField(
        _("CCCD number"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_cccd],
        help_text=_("12-digit personal identification number; one account per number."),
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone number"), max_length=15, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField(
        _("phone number confirmed"),
        default=False,
        help_text=_("Set when the person typed the code sent to this number by SMS."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CITIZEN)
    agency = models.ForeignKey(
        "procedures.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
        help_text=_("Required for officers: the agency they work for."),
    )

    duty = models.CharField(
        _("duty"),
        max_length=12,
        choices=Duty.choices,
        blank=True,
        help_text=_("For officers: intake at the counter, specialist, or leader."),
    )

    language = models.CharField(
        _("language"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="vi",
        help_text=_("The language of the messages the portal sends (email, SMS)."),
    )

    workspace_filters = models.CharField(
        _("remembered queue filters"),
        max_length=1000,
        blank=True,
        editable=False,
        help_text="The officer's last queue filters, as a query string, restored at each visit.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.OFFICER) | Q(agency__isnull=False),
                name="officer_has_agency",
                violation_error_message=_("An officer must belong to an agency."),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.OFFICER) | ~Q(duty=""),
                name="officer_has_duty",
                violation_error_message=_("An officer must have a duty."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        # ``email`` is unique and required, yet a phone-only or VNeID account has none, and
        # allauth blanks it when an address is removed: keep a stand-in instead of "".
        if not self.email:
            self.email = placeholder_email()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "email"}
        super().save(*args, **kwargs)

    @property
    def contact_email(self) -> str:
        """The person's real email address, or "" for a phone-only account."""
        return "" if is_placeholder_email(self.email) else self.email

    @property
    def display_name(self) -> str:
        """What the portal calls the person: the full name, else the phone, else the email."""
        return self.full_name or format_phone(self.phone) or self.contact_email or str(self.pk)

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[-1] if self.full_name else self.display_name

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_portal_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser
