"""The catalogue: agencies, sectors, procedures with their form, papers and fees; the calendar."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.text import normalize_search
from procedures.constants import FILE_TYPES, Channel, DayKind, FieldType, Level, ServiceLevel

agency_code_validator = RegexValidator(
    r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$",
    _("Unit code must look like 000.00.00.H57 (official code of the unit)."),
)


def validate_result_template(value: str) -> None:
    """A result template must be valid template syntax using only the allowed tags."""
    from django.core.exceptions import ValidationError
    from django.template import TemplateSyntaxError

    from procedures.result_templates import compile_result_template

    try:
        compile_result_template(value)
    except TemplateSyntaxError as error:
        raise ValidationError(
            _("The result template has a mistake: %(error)s"), params={"error": error}
        ) from None


procedure_code_validator = RegexValidator(
    r"^\d\.\d{6}$", _("Procedure code must look like 1.001193 (national procedure code).")
)
field_key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$",
    _("Key must start with a letter and use only lower-case letters, digits and _."),
)


def validate_file_types(value: str) -> None:
    from django.core.exceptions import ValidationError

    types = [t.strip() for t in value.split(",") if t.strip()]
    unknown = [t for t in types if t not in FILE_TYPES]
    if not types or unknown:
        raise ValidationError(
            _("List file types separated by commas, from: %(allowed)s."),
            params={"allowed": ", ".join(FILE_TYPES)},
        )


class Bilingual(models.Model):
    """A Vietnamese name with an optional English one; ``display_name`` follows the language."""

    name = models.CharField(_("name (Vietnamese)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Agency(Bilingual):
    """A state agency (cơ quan). Forms a tree: province → departments, communes, one-stop centre."""

    code = models.CharField(
        _("unit code"), max_length=20, unique=True, validators=[agency_code_validator]
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_one_stop_centre = models.BooleanField(
        _("province one-stop centre"),
        default=False,
        help_text=_("Receives dossiers for every agency of its province and routes them."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]


class Sector(Bilingual):
    """A sector (lĩnh vực): Hộ tịch, Đất đai, Xây dựng…"""

    code = models.CharField(_("code"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]


class Procedure(Bilingual):
    """An administrative procedure (thủ tục hành chính) as the catalogue shows it now.

    Filed dossiers never read these rows: they point at a ``ProcedureVersion`` snapshot.
    """

    code = models.CharField(
        _("national code"), max_length=20, unique=True, validators=[procedure_code_validator]
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("competent agency"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    service_level = models.CharField(
        _("online service level"), max_length=10, choices=ServiceLevel.choices
    )
    processing_days = models.PositiveSmallIntegerField(
        _("processing time (working days)"), help_text=_("0 means the same working day.")
    )
    online_processing_days = models.PositiveSmallIntegerField(
        _("processing time online (working days)"),
        null=True,
        blank=True,
        help_text=_("Shorter time for dossiers filed online; leave empty if the same."),
    )
    processing_note = models.CharField(_("note on the time limit"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    steps = models.TextField(_("steps"), blank=True, help_text=_("One step per line."))
    steps_en = models.TextField(_("steps (English)"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True, help_text=_("One per line."))
    result_type = models.CharField(_("result"), max_length=300, blank=True)
    result_template = models.TextField(
        _("result template"),
        blank=True,
        validators=[validate_result_template],
        help_text=_(
            "HTML body of the result document the portal generates and signs at approval. "
            "Variables: {{ applicant.full_name }}, {{ applicant.cccd }}, "
            "{{ applicant.date_of_birth }}, {{ applicant.address }}, {{ dossier.code }}, "
            "{{ dossier.received_at }}, {{ form.ho_ten }} (any field of the form, by its code), "
            "{{ procedure.name }}, "
            "{{ agency.name }}, {{ result_code }}, {{ today }}. Leave empty if officers upload "
            "the result as a PDF."
        ),
    )
    pay_before_result = models.BooleanField(
        _("fee paid before the result"),
        default=True,
        help_text=_("The result is handed over only once the fee is paid (or waived)."),
    )
    published = models.BooleanField(_("published"), default=False)
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["name", "code"]
        indexes = [
            models.Index(fields=["published", "name"], name="procedure_pub_name"),
            models.Index(fields=["sector", "published"], name="procedure_sector_pub"),
            models.Index(fields=["agency", "published"], name="procedure_agency_pub"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(online_processing_days__isnull=True)
                | Q(online_processing_days__lte=F("processing_days")),
                name="procedure_online_time_not_longer",
                violation_error_message=_("Online time cannot be longer than the counter time."),
            )
        ]

    def save(self, *args, **kwargs):
        # The folded copy of code and names is what catalogue search reads (same on every DB).
        self.search_text = normalize_search(f"{self.code} {self.name} {self.name_en}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def effective_online_days(self) -> int:
        if self.online_processing_days is None:
            return self.processing_days
        return min(self.processing_days, self.online_processing_days)

    @property
    def accepts_online(self) -> bool:
        return self.service_level != ServiceLevel.OFFLINE

    def localized(self, field: str) -> str:
        value = getattr(self, field)
        if (get_language() or "vi").startswith("en"):
            return getattr(self, f"{field}_en", "") or value
        return value


class FormField(models.Model):
    """One field of the procedure's own form (tờ khai); the form is exposed as a JSON Schema."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="form_fields")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    key = models.CharField(_("key"), max_length=50, validators=[field_key_validator])
    label = models.CharField(_("label (Vietnamese)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300, blank=True)
    field_type = models.CharField(_("type"), max_length=10, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=True)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice field: one option per line.")
    )
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    help_text_en = models.CharField(_("help text (English)"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "key"], name="form_field_key_unique")
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class RequiredDocument(Bilingual):
    """A paper the procedure requires (thành phần hồ sơ)."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="required_documents"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    required = models.BooleanField(_("required"), default=True)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("E.g. original or certified copy.")
    )
    accepted_types = models.CharField(
        _("accepted file types"),
        max_length=50,
        default="pdf,jpg,png",
        validators=[validate_file_types],
        help_text=_("Comma-separated: pdf, jpg, png."),
    )
    max_size_mb = models.PositiveSmallIntegerField(
        _("maximum size (MB)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    template = models.FileField(_("template file"), upload_to="templates/", blank=True)
    reusable = models.BooleanField(
        _("can be reused from the citizen's document store"), default=False
    )

    class Meta:
        verbose_name = _("required paper")
        verbose_name_plural = _("required papers")
        ordering = ["position", "id"]

    @property
    def accepted_type_list(self) -> list[str]:
        return [t.strip() for t in self.accepted_types.split(",") if t.strip()]


class ProcedureVersion(models.Model):
    """An immutable snapshot of a published procedure; dossiers point at the one they used."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    content_hash = models.CharField(max_length=64)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"


class FeeCategory(Bilingual):
    """A kind of fee (lệ phí hộ tịch, lệ phí cấp giấy phép xây dựng…); discount rules target it."""

    code = models.CharField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("fee category")
        verbose_name_plural = _("fee categories")
        ordering = ["name"]


class ExemptGroup(Bilingual):
    """A group of people exempt from a fee (poor households, people with disabilities…)."""

    code = models.CharField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("exempt group")
        verbose_name_plural = _("exempt groups")
        ordering = ["name"]


class FeeItem(Bilingual):
    """One fee or charge of a procedure, in whole VND, valid over a period."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fee_items")
    code = models.CharField(_("code"), max_length=40)
    amount = models.PositiveIntegerField(_("amount (VND)"))
    online_amount = models.PositiveIntegerField(
        _("amount online (VND)"),
        null=True,
        blank=True,
        help_text=_("Only when the fee schedule itself sets a lower amount for online filing."),
    )
    unit = models.CharField(_("per"), max_length=50, blank=True, help_text=_("E.g. copy, page."))
    category = models.ForeignKey(
        FeeCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="fee_items"
    )
    exempt_groups = models.ManyToManyField(
        ExemptGroup, verbose_name=_("exempt groups"), blank=True, related_name="fee_items"
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), default=dt.date(2020, 1, 1))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["procedure", "code", "-valid_from"]
        indexes = [models.Index(fields=["procedure", "valid_from"], name="fee_item_validity")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="fee_item_period_ordered",
                violation_error_message=_("'Valid to' must not be before 'valid from'."),
            ),
            models.CheckConstraint(
                condition=Q(online_amount__isnull=True) | Q(online_amount__lte=F("amount")),
                name="fee_item_online_not_dearer",
                violation_error_message=_("The online amount cannot exceed the counter amount."),
            ),
        ]

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class DiscountRule(models.Model):
    """A fee reduction set by a council (e.g. Resolution 18/2023 of Thừa Thiên Huế: 40% online)."""

    name = models.CharField(_("name"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    percent = models.PositiveSmallIntegerField(
        _("percent off"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    channel = models.PositiveSmallIntegerField(
        _("channel"), choices=Channel.choices, default=Channel.ONLINE
    )
    categories = models.ManyToManyField(
        FeeCategory, verbose_name=_("fee categories"), blank=True, related_name="discount_rules"
    )
    procedures = models.ManyToManyField(
        Procedure, verbose_name=_("procedures"), blank=True, related_name="discount_rules"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("discount rule")
        verbose_name_plural = _("discount rules")
        ordering = ["-valid_from", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="discount_rule_period_ordered",
                violation_error_message=_("'Valid to' must not be before 'valid from'."),
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=1) & Q(percent__lte=100),
                name="discount_rule_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.active
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


class Holiday(models.Model):
    """A dated exception to the week: a public holiday off, or a weekend day worked in exchange."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=DayKind.choices, default=DayKind.HOLIDAY
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
