"""The portal's user: one model for citizens, officers and admins, logging in by email."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.constants import Role, Sex
from accounts.identity import validate_cccd


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
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[-1] if self.full_name else self.email

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_portal_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser
