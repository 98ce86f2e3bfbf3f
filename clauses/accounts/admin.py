from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm
from simple_history.admin import SimpleHistoryAdmin

from clauses.accounts.models import Membership, Organisation, User


class UserLabelField(forms.ModelChoiceField):
    """Shows users by name and e-mail in admin pickers (User.__str__ carries no personal data)."""

    def label_from_instance(self, obj):
        return f"{obj.full_name} <{obj.email}>"


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserChangeForm(BaseUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("organisation",)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("last_name", "first_name")
    list_display = ("email", "last_name", "first_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "memberships__role")
    search_fields = ("email", "last_name", "first_name")
    readonly_fields = ("public_id", "last_login", "date_joined")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("public_id", "email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "job_title", "phone")}),
        (
            "Droits",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )


class OrganisationMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "structure_type", "prescriber_type", "siret", "city", "region", "is_active")
    list_filter = ("kind", "prescriber_type", "structure_type", "region", "is_active")
    autocomplete_fields = ("registered_by",)
    search_fields = ("name", "siret", "city")
    readonly_fields = ("public_id", "created_at", "updated_at")
    filter_horizontal = ("partner_structures",)
    inlines = [OrganisationMembershipInline]
    fieldsets = (
        (None, {"fields": ("public_id", "name", "kind", "structure_type", "prescriber_type", "siret", "is_active")}),
        ("Coordonnées", {"fields": ("address", "postcode", "city", "region", "email", "phone")}),
        ("Partenariats", {"fields": ("registered_by", "partner_structures")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user_email", "organisation", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", "organisation__kind")
    search_fields = ("user__email", "user__last_name", "organisation__name")
    list_select_related = ("user", "organisation")
    autocomplete_fields = ("organisation",)
    readonly_fields = ("public_id", "created_at", "updated_at")
    fields = ("public_id", "user", "organisation", "role", "is_active", "invited_by", "created_at", "updated_at")

    @admin.display(description="utilisateur", ordering="user__email")
    def user_email(self, obj):
        return obj.user.email

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("user", "invited_by"):
            kwargs["form_class"] = UserLabelField
            kwargs["queryset"] = User.objects.order_by("last_name", "first_name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
