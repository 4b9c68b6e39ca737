from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.phone import normalize_phone, try_normalize_phone


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean_phone(self):
        """Stored as +84…, like every other way in (accounts.phone)."""
        phone = (self.cleaned_data.get("phone") or "").strip()
        return normalize_phone(phone) if phone else None

    def clean_id_number(self):
        return (self.cleaned_data.get("id_number") or "").strip() or None


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PortalUserChangeForm
    ordering = ["email"]
    list_display = ["email", "full_name", "phone", "role", "duty", "agency", "is_active"]
    list_filter = ["role", "duty", "is_active", "is_staff", "agency"]
    search_fields = ["email", "full_name", "phone", "id_number"]
    autocomplete_fields = ["agency"]
    fieldsets = (
        (None, {"fields": ("email", "phone", "phone_verified", "password")}),
        (_("Person"), {"fields": ("full_name", "role", "agency", "duty")}),
        (_("Profile"), {"fields": ("id_number", "birth_date", "sex", "address")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "role",
                    "agency",
                    "duty",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_search_results(self, request, queryset, search_term):
        """A phone number is found however it is typed: 0912 345 678 finds +84912345678."""
        phone = try_normalize_phone(search_term)
        if phone:
            return queryset.filter(phone=phone), False
        return super().get_search_results(request, queryset, search_term)
