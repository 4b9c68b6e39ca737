"""Admin: agencies, sectors, procedures with their form, papers and fees, rules, holidays."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.errors import DomainError
from procedures.form_schema import form_definition_errors
from procedures.models import (
    Agency,
    DiscountRule,
    ExemptGroup,
    FeeCategory,
    FeeItem,
    FormField,
    Holiday,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    Sector,
)
from procedures.services import procedure_publish, procedure_unpublish


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_one_stop_centre", "active"]
    list_filter = ["level", "is_one_stop_centre", "active"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


@admin.register(FeeCategory)
class FeeCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name"]


@admin.register(ExemptGroup)
class ExemptGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name"]


class FormFieldFormSet(forms.BaseInlineFormSet):
    """Refuses a malformed form definition as a whole, with every reason listed."""

    def clean(self):
        # Our reasons first: they name each bad field, where Django's duplicate check does not.
        fields = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("key"):
                continue
            fields.append(
                {
                    "key": data["key"],
                    "field_type": data.get("field_type"),
                    "choices": [
                        c.strip() for c in data.get("choices", "").splitlines() if c.strip()
                    ],
                }
            )
        errors = form_definition_errors(fields)
        if errors:
            raise ValidationError(errors)
        super().clean()


class FormFieldInline(admin.TabularInline):
    model = FormField
    formset = FormFieldFormSet
    extra = 0
    fields = [
        "position",
        "key",
        "label",
        "label_en",
        "field_type",
        "required",
        "choices",
        "help_text",
    ]
    formfield_overrides = {
        FormField._meta.get_field("choices").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 20})
        }
    }


class RequiredDocumentInline(admin.StackedInline):
    model = RequiredDocument
    extra = 0
    fields = [
        ("position", "required", "reusable"),
        "name",
        "name_en",
        "note",
        ("accepted_types", "max_size_mb"),
        "template",
    ]


class FeeItemInline(admin.StackedInline):
    model = FeeItem
    extra = 0
    fields = [
        ("code", "category"),
        "name",
        "name_en",
        ("amount", "online_amount", "unit"),
        "exempt_groups",
        "legal_basis",
        ("valid_from", "valid_to"),
    ]
    filter_horizontal = ["exempt_groups"]


class ProcedureVersionInline(admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    fields = ["number", "published_at", "note"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sector", "level", "agency", "service_level", "published"]
    list_filter = ["published", "service_level", "level", "sector"]
    search_fields = ["code", "name", "search_text"]
    autocomplete_fields = ["sector", "agency"]
    list_select_related = ["sector", "agency"]
    inlines = [FormFieldInline, RequiredDocumentInline, FeeItemInline, ProcedureVersionInline]
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "sector", "level", "agency", "published"]}),
        (
            _("Online service and time limits"),
            {
                "fields": [
                    "service_level",
                    "processing_days",
                    "online_processing_days",
                    "processing_note",
                    "pay_before_result",
                ]
            },
        ),
        (
            _("Texts"),
            {
                "fields": [
                    "description",
                    "description_en",
                    "steps",
                    "steps_en",
                    "legal_basis",
                    "result_type",
                    "result_template",
                ]
            },
        ),
    ]

    def save_related(self, request, form, formsets, change):
        """After the inlines are saved, a published procedure gets a new version if it changed."""
        super().save_related(request, form, formsets, change)
        procedure = form.instance
        if procedure.published:
            try:
                version = procedure_publish(procedure=procedure, note=_("Saved in the admin"))
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request, _("Published as version %(n)d.") % {"n": version.number}, messages.INFO
                )

    @admin.action(description=_("Publish the selected procedures"))
    def publish_selected(self, request, queryset):
        done, failed = 0, []
        for procedure in queryset:
            try:
                procedure_publish(procedure=procedure, note=_("Published from the list"))
                done += 1
            except DomainError as error:
                failed.append(f"{procedure.code}: {error.message}")
        if done:
            self.message_user(
                request,
                ngettext("%d procedure published.", "%d procedures published.", done) % done,
                messages.SUCCESS,
            )
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Withdraw the selected procedures from the catalogue"))
    def unpublish_selected(self, request, queryset):
        count = 0
        for procedure in queryset.filter(published=True):
            procedure_unpublish(procedure=procedure)
            count += 1
        self.message_user(
            request,
            ngettext("%d procedure withdrawn.", "%d procedures withdrawn.", count) % count,
            messages.SUCCESS,
        )


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "published_at", "note"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__code", "procedure__name"]
    readonly_fields = ["procedure", "number", "snapshot", "content_hash", "published_at", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DiscountRule)
class DiscountRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "percent", "channel", "valid_from", "valid_to", "active"]
    list_filter = ["active", "channel"]
    search_fields = ["name", "legal_basis"]
    filter_horizontal = ["categories"]
    autocomplete_fields = ["procedures"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]
