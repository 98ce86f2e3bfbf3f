"""The technical admin (superusers only). Personal data are handled in the application, scoped and logged; here:
- an anonymised participant or fiche navette is read-only: no field changed, no version restored from its history
  (an older version would bring `anonymised_at` back to empty), nothing deleted, its inlines frozen too;
- opening a participant's page or its history here is written in the log of who viewed the record (« admin »),
  like a page of the application (`participants.services.view_log`)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from participants import services
from participants.enums import ViewKind
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


def _anonymised(model, obj):
    """Whether `obj` (a row, or a version read from its history) is anonymised now: read from the database, since
    a version from before the anonymisation says it is not."""
    return obj is not None and model._default_manager.filter(pk=obj.pk, anonymised_at__isnull=False).exists()


class FrozenOnceAnonymised:
    """Admin mixin: an anonymised row (and its inlines) can be viewed, not changed, restored or deleted."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _anonymised(self._frozen_model, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _anonymised(self._frozen_model, obj)

    def history_view(self, request, object_id, extra_context=None):
        # django-simple-history answers a malformed id with a server error: a 404 instead.
        try:
            self._frozen_model._meta.pk.to_python(unquote(object_id))
        except ValidationError as error:
            raise Http404 from error
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a restored version on POST with the view permission alone: refused here
        # unless the row itself may be changed.
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))  # None for an unknown or malformed id
            if current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class FrozenInline(FrozenOnceAnonymised):
    """Inline of an anonymised parent: `obj` is the parent."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _anonymised(self._frozen_model, obj)


class ConsentInline(FrozenInline, admin.TabularInline):
    _frozen_model = Participant
    model = Consent
    extra = 0
    fields = ("given_on", "method", "collected_by", "information_version", "withdrawn_on")
    readonly_fields = ("collected_by",)


@admin.register(Participant)
class ParticipantAdmin(FrozenOnceAnonymised, SimpleHistoryAdmin):
    _frozen_model = Participant
    list_display = ("__str__", "structure", "qpv_resident", "created_at", "anonymised_at")
    list_filter = ("structure",)
    search_fields = ("public_id",)  # never by name in the technical admin: the application has its own search
    readonly_fields = ("public_id", "name_key", "created_at", "updated_at", "created_by", "anonymised_at")
    raw_id_fields = ("referent_organisation",)
    inlines = [ConsentInline]

    def _log_view(self, request, object_id):
        if request.method == "GET":
            participant = self.get_object(request, unquote(object_id))  # None for an unknown or malformed id
            if participant is not None:
                services.view_log(participant_id=participant.pk, user=request.user, what=ViewKind.ADMIN)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._log_view(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._log_view(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._log_view(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


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


class ReferralEventInline(FrozenInline, admin.TabularInline):
    _frozen_model = Referral
    model = ReferralEvent
    extra = 0
    fields = ("from_status", "to_status", "by", "at", "message")
    readonly_fields = fields


@admin.register(Referral)
class ReferralAdmin(FrozenOnceAnonymised, SimpleHistoryAdmin):
    _frozen_model = Referral
    list_display = ("__str__", "status", "structure", "prescriber_organisation", "submitted_at")
    list_filter = ("status", "structure")
    readonly_fields = ("public_id", "created_at", "updated_at", "submitted_at", "decided_at", "anonymised_at")
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
