"""Admin views of dossiers: for support staff to look, not to rewrite history.

Status changes go through the services (officer workspace), never through the admin.
"""

from django.contrib import admin

from dossiers.models import (
    Attachment,
    Dossier,
    DossierEvent,
    IssuedDocument,
    ResultHandover,
    StoredDocument,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["document_name", "stored", "reused", "round", "created_at", "superseded_at"]
    readonly_fields = fields


class IssuedDocumentInline(ReadOnlyInline):
    model = IssuedDocument
    fields = ["code", "kind", "created_at", "signed_at", "signer_name", "signature_level"]
    readonly_fields = fields


class HandoverInline(ReadOnlyInline):
    model = ResultHandover
    fields = [
        "method",
        "handed_at",
        "recipient_name",
        "tracking_number",
        "postal_state",
        "downloaded_at",
    ]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = ["at", "actor", "actor_role", "action", "from_status", "to_status", "note", "ip"]
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["code", "procedure", "applicant", "agency", "status", "channel", "submitted_at"]
    list_filter = ["status", "channel", "agency"]
    search_fields = ["code", "applicant__email", "applicant__full_name", "procedure__code"]
    list_select_related = ["procedure", "applicant", "agency"]
    date_hierarchy = "submitted_at"
    inlines = [AttachmentInline, IssuedDocumentInline, HandoverInline, EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StoredDocument)
class StoredDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "filename", "owner", "kind", "size", "created_at", "deleted_at"]
    list_filter = ["kind"]
    search_fields = ["title", "filename", "owner__email"]
    list_select_related = ["owner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    """Every document the portal issued, with its signature: where support staff look when a
    citizen says a result is refused somewhere (the unsigned ones are listed first to fix)."""

    list_display = ["code", "kind", "signed_at", "signer_name", "signature_level", "created_at"]
    list_filter = ["kind", "signature_level", ("signed_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "sha256", "signer_name"]
    ordering = ["-created_at"]
    readonly_fields = [f.name for f in IssuedDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
