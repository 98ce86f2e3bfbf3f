from django.contrib import admin
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from participants.models import (
    Consent,
    EligibilityCriterion,
    EligibilityDiagnosis,
    Participant,
    ParticipantViewLog,
    Proof,
    Referral,
    ReferralEvent,
)


@admin.register(EligibilityCriterion)
class EligibilityCriterionAdmin(SimpleHistoryAdmin):
    list_display = ("label", "code", "public", "computed", "is_active", "order")
    list_editable = ("order", "is_active")
    list_filter = ("public", "computed", "is_active")
    search_fields = ("label", "code")
    fields = ("code", "label", "description", "public", "computed", "proofs", "order", "is_active")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()  # the code ties the row to the engine's rules


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    fields = ("given_on", "method", "collected_by", "information_version", "withdrawn_on")
    readonly_fields = ("collected_by",)


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "structure", "qpv_resident", "created_at")
    list_filter = ("structure",)
    search_fields = ("public_id",)  # never by name in the technical admin: the application has its own search
    readonly_fields = ("public_id", "name_key", "created_at", "updated_at", "created_by")
    raw_id_fields = ("referent_organisation",)
    inlines = [ConsentInline]


@admin.register(Proof)
class ProofAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "status", "structure", "uploaded_at")
    list_filter = ("status", "structure")
    fields = ("public_id", "structure", "participant", "referral", "kind", "download", "original_name",
              "content_type", "size", "issue_date", "valid_until", "status", "verified_by", "verified_at",
              "uploaded_by", "uploaded_at")  # fmt: skip
    readonly_fields = ("public_id", "download", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    raw_id_fields = ("participant", "referral", "verified_by")

    @admin.display(description="fichier")
    def download(self, proof):
        # Private storage has no address: the application's checked view serves the file.
        return format_html('<a href="{}">télécharger</a>', proof.get_absolute_url())

    def has_add_permission(self, request):
        return False  # an upload goes through the application's checks of content and size


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    fields = ("from_status", "to_status", "by", "at", "message")
    readonly_fields = fields


@admin.register(Referral)
class ReferralAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "status", "structure", "prescriber_organisation", "submitted_at")
    list_filter = ("status", "structure")
    readonly_fields = ("public_id", "created_at", "updated_at", "submitted_at", "decided_at")
    raw_id_fields = ("participant", "prescriber_organisation", "created_by")
    inlines = [ReferralEventInline]


@admin.register(EligibilityDiagnosis)
class EligibilityDiagnosisAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "market", "eligible", "provisional", "assessed_on", "valid_until")
    list_filter = ("eligible", "provisional")
    raw_id_fields = ("participant", "market")
    readonly_fields = ("public_id", "assessed_at")


@admin.register(ParticipantViewLog)
class ParticipantViewLogAdmin(admin.ModelAdmin):
    list_display = ("participant", "user", "viewed_at")
    readonly_fields = ("participant", "user", "viewed_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log of who looked at a record cannot be erased
