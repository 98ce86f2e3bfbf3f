from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from marches.models import Award, Buyer, Company, Lot, Market


@admin.register(Buyer)
class BuyerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "buyer_type", "city", "structure")
    list_filter = ("buyer_type", "structure")
    search_fields = ("name", "siret", "city")
    readonly_fields = ("public_id", "created_at", "updated_at")


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0
    fields = ("number", "title", "trade", "amount_ht", "required_hours")


@admin.register(Market)
class MarketAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "title", "buyer", "status", "attribution_date", "structure")
    list_filter = ("status", "nature", "legal_basis", "structure")
    search_fields = ("reference", "title", "buyer__name")
    list_select_related = ("buyer", "structure")
    autocomplete_fields = ("buyer",)
    readonly_fields = ("public_id", "created_at", "updated_at")
    inlines = [LotInline]


class AwardInline(admin.TabularInline):
    model = Award
    extra = 0
    fields = ("company", "role", "amount_ht", "hours_committed")
    autocomplete_fields = ("company",)


@admin.register(Lot)
class LotAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "market", "trade", "required_hours")
    list_filter = ("trade",)
    search_fields = ("title", "market__reference", "market__title")
    list_select_related = ("market",)
    readonly_fields = ("public_id", "created_at", "updated_at")
    inlines = [AwardInline]


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "siret", "kind", "city", "structure")
    list_filter = ("kind", "size", "structure")
    search_fields = ("name", "siret", "city")
    readonly_fields = ("public_id", "created_at", "updated_at")


@admin.register(Award)
class AwardAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "lot", "company", "role", "hours_committed")
    list_filter = ("role",)
    search_fields = ("company__name", "lot__market__reference")
    list_select_related = ("lot", "company")
    autocomplete_fields = ("company",)
    readonly_fields = ("public_id", "created_at", "updated_at")
