"""Droit d'accès (RGPD art. 15): everything the structure holds about one participant, as plain French sections
for the JSON download and the PDF. Proofs are listed (kind, name, dates), never their content. One query per kind of
thing, whatever their number."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from participants.models import EligibilityCriterion, EligibilityDiagnosis, ParticipantViewLog, Proof, Referral
from suivi.models import (
    FollowUpEvent,
    Handoff,
    HourEntry,
    Outcome,
    OutcomeCheck,
    Positioning,
    SkillsReview,
    WorkContract,
)

HISTORY_TYPES = {"+": "création", "~": "modification", "-": "suppression"}


def _value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None:
        return ""
    return value


def _user(user):
    return user.full_name if user else ""


def _row(**fields):
    return {key: _value(value) for key, value in fields.items()}


def collect(participant, *, now=None) -> dict:
    """The sections of the export, in order: {title: list of rows (dicts of French labels → text)}."""
    p = participant
    criteria = dict(EligibilityCriterion.objects.values_list("code", "label"))
    contracts = list(
        WorkContract.objects.filter(participant=p).select_related("employer", "company").order_by("start_date")
    )
    hours = (
        HourEntry.objects.filter(assignment__contract__participant=p)
        .order_by("assignment__contract__start_date", "month", "kind")
        .values("assignment__contract__public_id", "month", "kind")
        .annotate(total=Sum("hours"))
    )
    history = list(p.history.select_related("history_user").order_by("history_date", "history_id"))
    sections = {
        "Identité et situation": [
            _row(
                **{
                    "identifiant": str(p.public_id),
                    "structure": p.structure.name,
                    "nom": p.last_name,
                    "prénom": p.first_name,
                    "date de naissance": p.birth_date,
                    "sexe": p.get_sex_display(),
                    "e-mail": p.email,
                    "téléphone": p.phone,
                    "code postal": p.postcode,
                    "commune": p.city,
                    "réside en QPV": p.qpv_resident,
                    "QPV": p.qpv_name,
                    "niveau de qualification": p.get_qualification_level_display(),
                    "inscrit à France Travail depuis le": p.registration_date,
                    "minimum social": p.get_social_benefit_display(),
                    "RQTH": p.rqth,
                    "réfugié": p.refugee,
                    "sous main de justice": p.under_justice,
                    "salarié d'une SIAE": p.siae_employee,
                    "jeune sans expérience, inactif 6 mois": p.young_inactive,
                    "freins périphériques": ", ".join(p.get_obstacles_display()),
                    "métiers recherchés": ", ".join(p.get_target_trades_display()),
                    "référent de parcours": " — ".join(
                        x
                        for x in (
                            p.referent_organisation.name if p.referent_organisation else "",
                            p.referent_name,
                            p.referent_email,
                        )
                        if x
                    ),
                    "notes du facilitateur": p.notes,
                    "enregistré le": p.created_at,
                    "anonymisé le": p.anonymised_at,
                }
            )
        ],  # fmt: skip
        "Consentements": [
            _row(
                **{
                    "donné le": c.given_on,
                    "recueilli par": c.get_method_display(),
                    "recueilli par (personne)": c.collected_by_name or _user(c.collected_by),
                    "version de la notice": c.information_version,
                    "retiré le": c.withdrawn_on,
                    "circonstances du retrait": c.withdrawal_note,
                }
            )  # fmt: skip
            for c in p.consents.select_related("collected_by").order_by("given_on", "pk")
        ],
        "Diagnostics d'éligibilité": [
            _row(
                **{
                    "marché": f"{d.market.reference} — {d.market.title}",
                    "apprécié au": d.assessed_on,
                    "provisoire": d.provisional,
                    "éligible": d.eligible,
                    "critères remplis": ", ".join(criteria.get(code, code) for code in d.criteria_met or ()),
                    "valable jusqu'au": d.valid_until,
                    "établi par": _user(d.assessed_by),
                }
            )  # fmt: skip
            for d in EligibilityDiagnosis.objects.filter(participant=p)
            .select_related("market", "assessed_by")
            .order_by("assessed_on", "pk")
        ],
        "Justificatifs (liste, sans leur contenu)": [
            _row(
                **{
                    "type": pr.get_kind_display(),
                    "fichier": pr.original_name,
                    "émis le": pr.issue_date,
                    "valable jusqu'au": pr.valid_until,
                    "vérification": pr.get_status_display(),
                    "déposé le": pr.uploaded_at,
                }
            )  # fmt: skip
            for pr in Proof.objects.filter(participant=p).order_by("uploaded_at", "pk")
        ],
        "Fiches navettes": [
            _row(
                **{
                    "prescripteur": r.prescriber_organisation.name,
                    "statut": r.get_status_display(),
                    "envoyée le": r.submitted_at,
                    "décision le": r.decided_at,
                    "poste visé": r.target_job,
                    "parcours et motivation": r.motivation,
                    "étapes": " ; ".join(
                        f"{_value(e.at)} {e.get_to_status_display()}" + (f" : {e.message}" if e.message else "")
                        for e in r.events.all()
                    ),
                }
            )
            for r in Referral.objects.filter(participant=p)
            .select_related("prescriber_organisation")
            .prefetch_related("events")
            .order_by("submitted_at", "pk")
        ],  # fmt: skip
        "Positionnements": [
            _row(
                **{
                    "offre": pos.offer.job_title,
                    "entreprise": pos.offer.award.company.name,
                    "statut": pos.get_status_display(),
                    "proposé le": pos.proposed_at,
                    "décision le": pos.decided_at,
                    "retour": pos.feedback,
                }
            )  # fmt: skip
            for pos in Positioning.objects.filter(participant=p)
            .select_related("offer__award__company")
            .order_by("proposed_at", "pk")
        ],
        "Contrats de travail": [
            _row(
                **{
                    "référence": str(c.public_id)[:8],
                    "employeur": c.employer.name,
                    "entreprise": c.company.name,
                    "type": c.get_contract_type_display(),
                    "poste": c.job_title,
                    "début": c.start_date,
                    "fin prévue": c.planned_end_date,
                    "fin effective": c.actual_end_date,
                    "durée hebdomadaire (h)": c.weekly_hours,
                    "notes": c.notes,
                }
            )  # fmt: skip
            for c in contracts
        ],
        "Heures par mois": [
            _row(
                **{
                    "contrat": str(h["assignment__contract__public_id"])[:8],
                    "mois": h["month"].strftime("%m/%Y"),
                    "nature": HourEntry(kind=h["kind"]).get_kind_display(),
                    "heures": h["total"],
                }
            )  # fmt: skip
            for h in hours
        ],
        "Suivi dans l'emploi": [
            _row(
                **{
                    "date": e.date,
                    "type": e.get_kind_display(),
                    "gravité": e.get_severity_display(),
                    "compte rendu": e.note,
                    "alerte close le": e.closed_at,
                    "ce qui a été fait": e.action_taken,
                }
            )
            for e in FollowUpEvent.objects.filter(contract__participant=p).order_by("date", "pk")
        ],  # fmt: skip
        "Suivi des compétences": [
            _row(
                **{
                    "moment": s.get_moment_display(),
                    "date": s.review_date,
                    "participant": s.participant_comment,
                    "entreprise": s.company_comment,
                    "référent": s.referent_comment,
                    "suites": s.next_steps,
                }
            )
            for s in SkillsReview.objects.filter(contract__participant=p).order_by("review_date", "pk")
        ],  # fmt: skip
        "Passages de relais": [
            _row(
                **{
                    "type": h.get_kind_display(),
                    "statut": h.get_status_display(),
                    "vers": h.to_organisation.name if h.to_organisation else "",
                    "proposé le": h.proposed_on,
                    "envoyé le": h.sent_on,
                    "accusé de réception le": h.acknowledged_at,
                    "message à la personne": h.participant_message,
                    "message au référent": h.note,
                }
            )
            for h in Handoff.objects.filter(participant=p)
            .select_related("to_organisation")
            .order_by("proposed_on", "pk")
        ],  # fmt: skip
        "Sortie": [
            _row(
                **{
                    "date": o.date,
                    "situation": o.get_situation_display(),
                    "type de sortie": o.get_category_display(),
                    "employeur ou organisme": o.employer,
                    "précisions": o.note,
                }
            )  # fmt: skip
            for o in Outcome.objects.filter(participant=p).order_by("date", "pk")
        ],
        "Points de situation (6, 12, 18, 24 mois)": [
            _row(
                **{
                    "échéance": f"{c.months} mois",
                    "à faire le": c.due_date,
                    "statut": c.get_status_display(),
                    "fait le": c.checked_on,
                    "situation": c.get_situation_display(),
                    "employeur ou organisme": c.employer,
                    "précisions": c.note,
                }
            )  # fmt: skip
            for c in OutcomeCheck.objects.filter(participant=p).order_by("months")
        ],
        "Historique des modifications": [
            _row(
                **{
                    "le": row.history_date,
                    "par": _user(row.history_user),
                    "action": HISTORY_TYPES.get(row.history_type, row.history_type),
                    "champs modifiés": ", ".join(_changed(row, previous)),
                    "motif": row.history_change_reason or "",
                }
            )  # fmt: skip
            for previous, row in zip([None, *history], history, strict=False)
        ],
        "Consultations du dossier": [
            _row(**{"le": v.viewed_at, "par": _user(v.user), "consultation": v.get_what_display()})
            for v in ParticipantViewLog.objects.filter(participant=p).select_related("user")
        ],
    }
    return {
        "titre": "Données personnelles détenues sur une personne suivie (article 15 du RGPD)",
        "structure": p.structure.name,
        "établi le": _value(now or timezone.now()),
        "sections": sections,
    }


def _changed(row, previous):
    """The labels of the fields a historical row changed (none listed for a creation)."""
    if previous is None or row.history_type != "~":
        return []
    return [row._meta.get_field(change.field).verbose_name for change in row.diff_against(previous).changes]
