"""Payments in the admin: read-only records (they are money), with the gateway's messages."""

from django.contrib import admin

from payments.models import FeeExemption, GatewayCall, Payment, Refund


class ReadOnlyAdmin(admin.ModelAdmin):
    """Payments change through the services (gateway IPN, counter pages), never by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GatewayCallInline(admin.TabularInline):
    model = GatewayCall
    fields = ["at", "kind", "params", "answer", "ip"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "dossier", "provider", "amount", "state", "created_at"]
    list_filter = ["provider", "state", "created_at"]
    search_fields = ["reference", "transaction_no", "dossier__code"]
    list_select_related = ["dossier"]
    date_hierarchy = "created_at"
    inlines = [GatewayCallInline]


@admin.register(GatewayCall)
class GatewayCallAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "payment", "answer", "ip"]
    list_filter = ["kind"]
    list_select_related = ["payment"]
    date_hierarchy = "at"


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount", "reason", "state", "created_at", "completed_at"]
    list_filter = ["state", "reason"]
    search_fields = ["payment__reference", "payment__dossier__code", "reference"]
    list_select_related = ["payment"]


@admin.register(FeeExemption)
class FeeExemptionAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "group", "amount", "recorded_by", "recorded_at"]
    list_filter = ["group"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier", "group", "recorded_by"]
