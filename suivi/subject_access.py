"""Droit d'accès (RGPD art. 15): everything the structure holds about one participant, as plain French sections
for the JSON download and the PDF. Proofs are listed (kind, name, dates), never their content. One query per kind of
thing, whatever their number.

The apps after `suivi` (which it never imports) add what they hold: `SECTIONS` takes functions (participant →
{title: rows}), `RELATED_HISTORY` (model, path to the participant) pairs whose history is listed; `comites` appends
to both in its AppConfig.ready."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch, Q, Sum
from django.utils import timezone

from participants.models import (
    Consent,
    EligibilityCriterion,
    EligibilityDiagnosis,
    ParticipantViewLog,
    Proof,
    Referral,
    ReferralEvent,
)
from suivi.models import (
    FollowUpEvent,
    Handoff,
    HourEntry,
    Outcome,
    OutcomeCheck,
    Positioning,
    PositioningEvent,
    SkillsReview,
    WorkContract,
)

SECTIONS = []  # functions participant → {title: rows}, added by the apps after suivi
# The related rows whose history (who changed what, when) the export lists: (model, path to the participant).
RELATED_HISTORY = [
    (Consent, "participant"),
    (EligibilityDiagnosis, "participant"),
    (Proof, "participant"),
    (Proof, "referral__participant"),
    (Referral, "participant"),
    (ReferralEvent, "referral__participant"),
    (Positioning, "participant"),
    (Positioning, "referral__participant"),
    (PositioningEvent, "positioning__participant"),
    (PositioningEvent, "positioning__referral__participant"),
    (WorkContract, "participant"),
    (HourEntry, "assignment__contract__participant"),
    (FollowUpEvent, "contract__participant"),
    (SkillsReview, "contract__participant"),
    (Handoff, "participant"),
    (Outcome, "participant"),
    (OutcomeCheck, "participant"),
]

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


as_row, user_name = _row, _user  # for the apps' SECTIONS


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
    referrals = list(
        Referral.objects.filter(participant=p)
        .select_related("prescriber_organisation")
        .prefetch_related("events", Prefetch("claimed_criteria", queryset=EligibilityCriterion.objects.order_by()))
        .order_by("submitted_at", "pk")
    )
    proofs = (
        Proof.objects.filter(Q(participant=p) | Q(referral__participant=p))
        .select_related("referral")
        .order_by("uploaded_at", "pk")
    )
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
                    "joint à la fiche navette": _ref(pr.referral) if pr.referral_id else "",
                }
            )  # fmt: skip
            for pr in proofs
        ],
        "Fiches navettes": [_referral(r) for r in referrals],
        "Positionnements": [
            _row(
                **{
                    "offre": pos.offer.job_title,
                    "entreprise": pos.offer.award.company.name,
                    "par la fiche navette": _ref(pos.referral) if pos.referral_id else "",
                    "statut": pos.get_status_display(),
                    "proposé le": pos.proposed_at,
                    "présenté le": pos.presented_at,
                    "décision le": pos.decided_at,
                    "pourquoi ce candidat": pos.message,
                    "motif": pos.get_non_retention_reason_display(),
                    "retour": pos.feedback,
                    "référent informé le": pos.referent_informed_on,
                    "ce qui a été dit au référent": pos.referent_informed_note,
                    "étapes": _steps(pos.events.all()),
                }
            )  # fmt: skip
            for pos in Positioning.objects.filter(Q(participant=p) | Q(referral__participant=p))
            .select_related("offer__award__company", "referral")
            .prefetch_related("events")
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
        "Historique des éléments liés (fiches, contrats, suivi…)": related_history(p),
        "Consultations du dossier": [
            _row(**{"le": v.viewed_at, "par": _user(v.user), "consultation": v.get_what_display()})
            for v in ParticipantViewLog.objects.filter(participant=p).select_related("user")
        ],
    }
    for section in SECTIONS:
        sections |= section(p)
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


def _ref(referral):
    return f"fiche {str(referral.public_id)[:8]}"


def _steps(events):
    return " ; ".join(
        f"{_value(e.at)} {e.get_to_status_display()}" + (f" : {e.message}" if e.message else "") for e in events
    )


def _referral(r):
    """A fiche navette as the prescriber submitted it (identity, situation, project, consent) and as the facilitator
    reviewed it (checks, notes, decision)."""
    return _row(
        **{
            "référence": _ref(r),
            "prescripteur": r.prescriber_organisation.name,
            "statut": r.get_status_display(),
            "envoyée le": r.submitted_at,
            "décision le": r.decided_at,
            "nom": r.last_name,
            "prénom": r.first_name,
            "date de naissance": r.birth_date,
            "sexe": r.get_sex_display(),
            "e-mail": r.email,
            "téléphone": r.phone,
            "code postal": r.postcode,
            "commune": r.city,
            "réside en QPV": r.qpv_resident,
            "niveau de qualification": r.get_qualification_level_display(),
            "inscrit à France Travail depuis le": r.registration_date,
            "minimum social": r.get_social_benefit_display(),
            "RQTH": r.rqth,
            "réfugié": r.refugee,
            "sous main de justice": r.under_justice,
            "salarié d'une SIAE": r.siae_employee,
            "jeune sans expérience, inactif 6 mois": r.young_inactive,
            "freins périphériques": ", ".join(r.get_obstacles_display()),
            "critères d'éligibilité indiqués": ", ".join(c.label for c in r.claimed_criteria.all()),
            "métier visé": r.get_target_trade_display(),
            "poste visé": r.target_job,
            "parcours et motivation": r.motivation,
            "consentement donné le": r.consent_date,
            "consentement recueilli par": r.get_consent_method_display(),
            "parcours vérifié": r.parcours_checked,
            "motivation vérifiée": r.motivation_checked,
            "éligibilité vérifiée sur pièces": r.eligibility_checked,
            "adéquation vérifiée": r.fit_checked,
            "notes de vérification": r.review_note,
            "motif du refus": r.get_refusal_reason_display(),
            "étapes": _steps(r.events.all()),
        }
    )


def related_history(p):
    """Every version of the rows about the person (`RELATED_HISTORY`), by date: one query per kind of row; the
    fields changed are compared here, never by a query per version."""
    versions, seen = [], set()
    for model, path in RELATED_HISTORY:
        historical = model.history.model
        wanted = Q(id__in=model._default_manager.filter(**{path: p}).values("pk"))
        if path == "participant":  # rows since deleted, or moved to someone else, too
            wanted |= Q(participant_id=p.pk)
        rows = historical.objects.filter(wanted).select_related("history_user").order_by("id", "history_date",
                                                                                       "history_id")  # fmt: skip
        fields = [f for f in model._meta.concrete_fields if f.name not in ("id", "updated_at")]
        previous = None
        for row in rows:
            if (model, row.history_id) in seen:  # reached by two paths (a positioning by its fiche, too)
                continue
            seen.add((model, row.history_id))
            same = previous is not None and previous.id == row.id
            changed = [
                f.verbose_name for f in fields if same and getattr(row, f.attname) != getattr(previous, f.attname)
            ]
            versions.append((row.history_date, row.history_id, model._meta.verbose_name, row, changed))
            previous = row
    versions.sort(key=lambda v: (v[0], v[1]))
    return [
        _row(
            **{
                "le": row.history_date,
                "élément": str(label),
                "par": _user(row.history_user),
                "action": HISTORY_TYPES.get(row.history_type, row.history_type),
                "champs modifiés": ", ".join(str(c) for c in changed) if row.history_type == "~" else "",
                "motif": row.history_change_reason or "",
            }
        )
        for _, _, label, row, changed in versions
    ]
