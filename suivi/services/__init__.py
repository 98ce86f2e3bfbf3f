"""Writes on offers, positionings, contracts and hours. Atomic; status changes are logged with who and when."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership
from marches.enums import ATTRIBUTED
from marches.models import Award
from participants import services as participant_services
from participants.enums import ReferralStatus
from participants.models import EligibilityCriterion, EligibilityDiagnosis
from suivi import hours as rules
from suivi.enums import (
    OFFER_TRANSITIONS,
    PERSON_KINDS,
    HourKind,
    HourSource,
    NonRetentionReason,
    OfferStatus,
    PositioningStatus,
)
from suivi.models import (
    SUBCONTRACTOR_KINDS,
    SUBCONTRACTOR_MESSAGE,
    Assignment,
    HourEntry,
    JobOffer,
    Positioning,
    PositioningEvent,
    WorkContract,
)
from suivi.services.handoffs import handoff_propose_entry, handoffs_propose_returns, recontact_notice

# --- Offers ---------------------------------------------------------------------------------------------------


@transaction.atomic
def offer_save(*, offer: JobOffer, by) -> JobOffer:
    if offer.award_id and offer.award.lot.market.status not in ATTRIBUTED:
        raise ValidationError({"award": "Le marché de cette entreprise n'est pas encore attribué."})
    if offer._state.adding:
        offer.created_by = by
    offer.full_clean()
    offer.save()
    return offer


@transaction.atomic
def offer_set_status(*, offer: JobOffer, status: str, by) -> JobOffer:
    """Publish, mark as filled, close or reopen an offer; its history keeps who did it and when."""
    offer = JobOffer.objects.select_for_update().get(pk=offer.pk)
    if status not in OFFER_TRANSITIONS.get(offer.status, ()):
        raise ValidationError(
            f"Une offre {offer.get_status_display()} ne peut pas devenir « {OfferStatus(status).label} »."
        )
    if status == OfferStatus.PUBLIEE:
        offer.published_at = offer.published_at or timezone.now()
    offer.status = status
    offer._change_reason = f"statut : {OfferStatus(status).label}"
    offer.full_clean()
    offer.save()
    return offer


# --- Positionings ---------------------------------------------------------------------------------------------


def is_former_beneficiary(participant, today=None) -> bool:
    """Someone who had a clause contract, all of them now ended (R-RECONTACT)."""
    today = today or timezone.localdate()
    contracts = list(participant.contracts.all())
    return bool(contracts) and not any(c.is_running_on(today) or c.start_date > today for c in contracts)


RECONTACT_MESSAGE = (
    "Cette personne a déjà travaillé dans le cadre d'une clause : informez d'abord son référent de parcours "
    "de ce nouveau positionnement, puis indiquez quand et comment."
)


@transaction.atomic
def positioning_propose(
    *, offer: JobOffer, by, organisation, participant=None, referral=None, message="", recontact=None
) -> Positioning:
    """Put a candidate forward for an offer. A prescriber proposes on a published offer; a facilitator may also
    propose on an offer still in draft. `recontact` = (date, method, note) when the référent was informed."""
    offer = JobOffer.objects.select_for_update().get(pk=offer.pk)
    by_prescriber = organisation.kind == OrganisationKind.PRESCRIPTEUR
    allowed = (OfferStatus.PUBLIEE,) if by_prescriber else (OfferStatus.PUBLIEE, OfferStatus.BROUILLON)
    if offer.status not in allowed:
        raise ValidationError("Cette offre n'est plus ouverte aux candidatures.")
    if (participant is None) == (referral is None):
        raise ValidationError("Choisissez un candidat.")
    if referral is not None:
        if referral.anonymised_at is not None:
            raise ValidationError("Cette fiche navette est anonymisée : elle ne peut plus être positionnée.")
        if referral.status in (ReferralStatus.BROUILLON, ReferralStatus.REFUSEE, ReferralStatus.A_COMPLETER):
            raise ValidationError("Seule une fiche navette envoyée et non refusée peut être positionnée.")
        if referral.participant_id:  # accepted since: position the person
            participant, referral = referral.participant, None
    positioning = Positioning(
        offer=offer,
        participant=participant,
        referral=referral,
        proposed_by=by,
        proposed_by_organisation=organisation,
        message=message,
    )
    if participant is not None:
        if Positioning.objects.filter(offer=offer, referral__participant=participant).exists():
            raise ValidationError("Ce candidat est déjà positionné sur cette offre.")
        if not participant_services.has_active_consent(participant):
            raise ValidationError("Sans consentement en cours, cette personne ne peut pas être positionnée.")
        needs_recontact = is_former_beneficiary(participant) and (
            participant.referent_organisation_id != organisation.pk
        )
        if needs_recontact:
            if participant.referent_organisation_id is None:
                raise ValidationError(
                    "Cette personne a déjà travaillé dans le cadre d'une clause et n'a pas de référent de parcours : "
                    "rattachez-la d'abord à un référent (R-RECONTACT)."
                )
            if not recontact or not all(recontact[:2]):
                recontact = recontact_notice(participant)  # a recontact handoff sent to the référent
            if not recontact or not all(recontact[:2]):
                raise ValidationError({"referent_informed_on": RECONTACT_MESSAGE})
            informed_on, how, note = recontact
            if informed_on > timezone.localdate():
                raise ValidationError({"referent_informed_on": "Cette date est dans le futur."})
            positioning.referent_informed_on = informed_on
            positioning.referent_informed_how = how
            positioning.referent_informed_note = note
    try:
        positioning.full_clean()
        with transaction.atomic():
            positioning.save()
    except IntegrityError:
        raise ValidationError("Ce candidat est déjà positionné sur cette offre.") from None
    return _log(positioning, "", PositioningStatus.PROPOSE, by, message)


def _log(positioning, from_status, to_status, by, message=""):
    return PositioningEvent.objects.create(
        positioning=positioning, from_status=from_status, to_status=to_status, by=by, message=message
    )


def _locked_positioning(positioning):
    # `of`: PostgreSQL cannot lock the nullable side of the outer join to the referral.
    return Positioning.objects.select_for_update(of=("self",)).select_related("referral").get(pk=positioning.pk)


def _move(positioning, allowed_from, to_status, by, message, **changes):
    current = _locked_positioning(positioning)
    if current.status not in allowed_from:
        raise ValidationError(
            f"Ce candidat est « {current.get_status_display()} » : il ne peut pas passer à "
            f"« {PositioningStatus(to_status).label} »."
        )
    from_status = current.status
    for name, value in changes.items():
        setattr(current, name, value)
    current.status = to_status
    current.full_clean()
    current.save()
    positioning.refresh_from_db()
    return _log(current, from_status, to_status, by, message)


@transaction.atomic
def positioning_present(*, positioning: Positioning, by, message="") -> PositioningEvent:
    """The facilitator presents the candidate to the employer, once their fiche navette was checked (R-VERIFY)."""
    current = _locked_positioning(positioning)
    changes = {"presented_at": timezone.now()}
    if current.participant_id is None:
        if not current.referral.participant_id:
            raise ValidationError(
                "Vérifiez et acceptez d'abord la fiche navette de ce candidat : parcours, motivation, éligibilité "
                "et adéquation avec le poste."
            )
        changes["participant"] = current.referral.participant
    return _move(positioning, (PositioningStatus.PROPOSE,), PositioningStatus.PRESENTE, by, message, **changes)


@transaction.atomic
def positioning_retain(*, positioning: Positioning, by, message="") -> PositioningEvent:
    return _move(
        positioning,
        (PositioningStatus.PRESENTE,),
        PositioningStatus.RETENU,
        by,
        message,
        decided_at=timezone.now(),
        feedback=message,
    )


@transaction.atomic
def positioning_reject(*, positioning: Positioning, reason: str, by, message="") -> PositioningEvent:
    if not reason:
        raise ValidationError({"non_retention_reason": "Choisissez le motif : le prescripteur en a besoin."})
    if reason == NonRetentionReason.AUTRE and not (message or "").strip():
        raise ValidationError({"message": "Précisez la raison dans le message au prescripteur."})
    return _move(
        positioning,
        (PositioningStatus.PROPOSE, PositioningStatus.PRESENTE),
        PositioningStatus.NON_RETENU,
        by,
        message,
        decided_at=timezone.now(),
        non_retention_reason=reason,
        feedback=message,
    )


def positioning_event_recipients(event: PositioningEvent) -> list[str]:
    """Who hears of a step (R-FEEDBACK): the facilitators when a prescriber proposes someone; for every other
    step, the prescriber who proposed the candidate, else the prescribers of the candidate's référent."""
    positioning = event.positioning
    structure = positioning.offer.award.lot.market.structure_id
    if event.to_status == PositioningStatus.PROPOSE:
        if positioning.proposed_by_organisation.kind != OrganisationKind.PRESCRIPTEUR:
            return []
        staff = Membership.objects.active().staff().filter(organisation_id=structure).select_related("user")
        return [m.user.email for m in staff]
    organisation = positioning.proposed_by_organisation
    if organisation.kind != OrganisationKind.PRESCRIPTEUR:
        person = positioning.participant
        organisation = person.referent_organisation if person else None
        if organisation is None and positioning.referral_id:  # still known by their fiche navette
            organisation = positioning.referral.prescriber_organisation
    if organisation is None:
        return []
    prescribers = (
        Membership.objects.active().filter(organisation=organisation, role=Role.PRESCRIPTEUR).select_related("user")
    )
    author = [m.user.email for m in prescribers if m.user_id == positioning.proposed_by_id]
    return author or [m.user.email for m in prescribers]


def positioning_event_send(*, event: PositioningEvent) -> int:
    recipients = positioning_event_recipients(event)
    if not recipients:
        return 0
    positioning = event.positioning
    context = {
        "event": event,
        "positioning": positioning,
        "offer": positioning.offer,
        "person": positioning.person,
        "url": settings.SITE_URL + positioning.get_absolute_url(),
    }
    subject = render_to_string("suivi/emails/positioning_event_subject.txt", context).strip()
    body = render_to_string("suivi/emails/positioning_event_body.txt", context)
    send_mail(settings.EMAIL_SUBJECT_PREFIX + subject, body, None, recipients)
    return len(recipients)


# --- Contracts and their markets ------------------------------------------------------------------------------


def _criteria_labels():
    return dict(EligibilityCriterion.objects.values_list("code", "label"))


def assignments_check(assignments) -> list[Assignment]:
    """Decide again whether each assignment's hours count (R-HRS-1), from the diagnoses on record. A constant
    number of queries for any number of assignments."""
    assignments = list(
        Assignment.objects.filter(pk__in=[a.pk for a in assignments]).select_related("contract", "award__lot__market")
    )
    if not assignments:
        return []
    diagnoses = {
        (d.participant_id, d.market_id): d
        for d in EligibilityDiagnosis.objects.filter(
            participant__in={a.contract.participant_id for a in assignments},
            market__in={a.award.lot.market_id for a in assignments},
        )
    }
    labels = _criteria_labels()
    now = timezone.now()
    for assignment in assignments:
        market = assignment.award.lot.market
        diagnosis = diagnoses.get((assignment.contract.participant_id, market.pk))
        verdict = rules.assignment_verdict(
            attributed=market.status in ATTRIBUTED,
            attribution_date=market.attribution_date,
            diagnosis=diagnosis,
            hired_on=assignment.contract.start_date,
            work_study=assignment.contract.is_work_study,
            criteria_labels=[labels.get(code, code) for code in (diagnosis.criteria_met if diagnosis else ())],
            exception=assignment.has_exception,
        )
        assignment.counts, assignment.reason = verdict.counts, verdict.reason[:300]
        assignment.diagnosis = diagnosis
        assignment.checked_at = now
    bulk_update_with_history(assignments, Assignment, ["counts", "reason", "diagnosis", "checked_at"], batch_size=500)
    return assignments


def assignments_recheck_for(*, participant_id, market_id) -> list[Assignment]:
    """After a diagnosis changed: the assignments of that person on that market."""
    return assignments_check(
        Assignment.objects.filter(contract__participant_id=participant_id, award__lot__market_id=market_id)
    )


def _check_awards(contract, awards):
    if not awards:
        raise ValidationError({"awards": "Choisissez au moins un marché servi par ce contrat."})
    for award in awards:
        if award.company_id != contract.company_id:
            raise ValidationError(
                {"awards": "Un contrat ne sert que des marchés de l'entreprise utilisatrice (mutualisation, R-HRS-2)."}
            )
        if award.lot.market.status not in ATTRIBUTED:
            raise ValidationError({"awards": f"Le marché {award.lot.market.reference} n'est pas encore attribué."})


def _entries_outside(contract):
    """Months already holding hours that the contract's dates would no longer cover."""
    months = HourEntry.objects.filter(assignment__contract=contract).values_list("month", flat=True).distinct()
    return sorted(month for month in months if not contract.period.covers(month))


def _entries_over_ceiling(contract):
    """Months whose recorded hours, every market together, the contract's dates would no longer allow (a month
    now only partly covered)."""
    totals = (
        HourEntry.objects.filter(assignment__contract=contract)
        .order_by()
        .values("month")
        .annotate(total=Sum("hours"))
        .values_list("month", "total")
    )
    period = contract.period
    return sorted(m for m, total in totals if period.covers(m) and total > rules.monthly_ceiling(period, m))


@transaction.atomic
def contract_save(*, contract: WorkContract, awards, by) -> WorkContract:
    """Create or change a contract and the markets it serves; then decide where its hours count."""
    awards = list({award.pk: award for award in awards}.values())
    adding = contract._state.adding
    if adding:
        contract.created_by = by
        if contract.participant_id:  # not on a record being anonymised (`retention.can_anonymise_now` reads these)
            participant_services.lock_participant(contract.participant)
        if contract.positioning_id:
            positioning = Positioning.objects.select_for_update().get(pk=contract.positioning_id)
            if positioning.status != PositioningStatus.RETENU:
                raise ValidationError("Seul un candidat retenu par l'employeur peut être embauché.")
            if WorkContract.objects.filter(positioning=positioning).exists():
                raise ValidationError("Le contrat de ce candidat est déjà enregistré.")
            if positioning.participant_id != contract.participant_id:
                raise ValidationError({"participant": "Ce contrat doit être celui du candidat retenu."})
            if positioning.offer.award_id not in {award.pk for award in awards}:
                raise ValidationError(
                    {"awards": "Le contrat sert au moins le marché de l'offre sur laquelle le candidat a été retenu."}
                )
    contract.full_clean()
    _check_awards(contract, awards)
    if not adding:
        outside = _entries_outside(contract)
        if outside:
            months = ", ".join(rules.month_label(m) for m in outside)
            raise ValidationError(
                {"start_date": f"Des heures sont saisies en dehors de ces dates ({months}) : corrigez-les d'abord."}
            )
        over = _entries_over_ceiling(contract)
        if over:
            months = ", ".join(rules.month_label(m) for m in over)
            raise ValidationError(
                {"start_date": f"Avec ces dates, les heures saisies en {months} dépassent la durée maximale du "
                 "travail : corrigez-les d'abord."}
            )  # fmt: skip
    contract.save()
    current = {a.award_id: a for a in contract.assignments.all()}
    wanted = {award.pk for award in awards}
    removed = [a for award_id, a in current.items() if award_id not in wanted]
    if any(a.hour_entries.exists() for a in removed):
        raise ValidationError({"awards": "Des heures sont saisies sur un marché retiré : supprimez-les d'abord."})
    for assignment in removed:
        assignment.delete()
    created = [Assignment(contract=contract, award=award) for award in awards if award.pk not in current]
    for assignment in created:
        assignment.save()
    assignments_check(list(contract.assignments.all()))
    # R-SEQ: a first contract opens the entry into the clause; an actual end may close it (return to the référent).
    if adding:
        handoff_propose_entry(contract=contract, by=by)
    elif contract.actual_end_date:
        handoffs_propose_returns(on=timezone.localdate(), participant=contract.participant)
    return contract


@transaction.atomic
def contract_assess_eligibility(*, contract: WorkContract, by) -> list[EligibilityDiagnosis]:
    """Establish (again) the person's eligibility to each market the contract serves, then where hours count."""
    diagnoses = [
        participant_services.diagnosis_assess(
            participant=contract.participant, market=assignment.award.lot.market, by=by
        )
        for assignment in contract.assignments.select_related("award__lot__market")
    ]
    assignments_check(list(contract.assignments.all()))
    return diagnoses


@transaction.atomic
def assignment_grant_exception(*, assignment: Assignment, justification: str, by) -> Assignment:
    """R-ELIG-4: a facilitator lets the hours of a work-study contract signed before the attribution count."""
    if not assignment.contract.is_work_study:
        raise ValidationError("Une exception ne concerne que les contrats d'apprentissage et de professionnalisation.")
    if len((justification or "").strip()) < 20:
        raise ValidationError(
            {"exception_justification": "Justifiez l'exception en quelques phrases (pérennisation de l'emploi, "
             "insertion durable…)."}
        )  # fmt: skip
    assignment.exception_justification = justification.strip()
    assignment.exception_by = by
    assignment.exception_at = timezone.now()
    assignment.save()
    return assignments_check([assignment])[0]


@transaction.atomic
def assignment_revoke_exception(*, assignment: Assignment, by) -> Assignment:
    assignment.exception_justification = ""
    assignment.exception_by = None
    assignment.exception_at = None
    assignment._change_reason = "exception retirée"
    assignment.save()
    return assignments_check([assignment])[0]


@transaction.atomic
def contract_delete(*, contract: WorkContract) -> None:
    if HourEntry.objects.filter(assignment__contract=contract).exists():
        raise ValidationError("Des heures sont saisies sur ce contrat : il ne peut plus être supprimé.")
    contract.assignments.all().delete()
    contract.delete()


# --- Hours ----------------------------------------------------------------------------------------------------


class _NotChecked:
    def __repr__(self):
        return "NOT_CHECKED"


NOT_CHECKED = _NotChecked()  # a cell's `shown` when no value seen beforehand is to be checked


@dataclass(frozen=True)
class Cell:
    """One value of a month's statement: a contract's hours of one kind on one award, or the hours subcontracted
    by an award's holder to one SIAE or EA. `hours` None means "nothing declared" (an existing row is removed)."""

    month: object
    kind: str
    hours: Decimal | None
    assignment: Assignment | None = None
    award: object = None  # for subcontracted hours
    subcontractor: object = None
    key: str = ""  # where to show an error (a form field name, a spreadsheet row)
    # The value the person saw before changing it (None: empty). Saving checks, under lock, that it is still the
    # recorded one: otherwise someone else changed it meanwhile and nothing is written (optimistic concurrency).
    shown: object = NOT_CHECKED

    @property
    def identity(self):
        if self.assignment is not None:
            return ("contract", self.assignment.pk, self.month, self.kind)
        return ("sub", self.award.pk, self.subcontractor.pk, self.month)


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    errors: dict = field(default_factory=dict)  # key → [messages]
    conflicts: dict = field(default_factory=dict)  # key → Conflict: changed by someone else since it was shown

    @property
    def changed(self):
        return self.created + self.updated + self.deleted


@dataclass(frozen=True)
class Conflict:
    """A value someone else recorded after the person saw `shown`: what it is now, and who changed it."""

    shown: Decimal | None
    current: Decimal | None
    by: str  # the person's name ("" if unknown)

    @property
    def message(self):
        def say(value):
            return "vide" if value is None else f"{rules.format_hours(value)} h"

        who = f"par {self.by}" if self.by else "par quelqu'un d'autre"
        return f"Modifiée entre-temps {who} : {say(self.shown)} → {say(self.current)}."


def _conflicts(cells, by_identity):
    """The cells whose recorded value is no longer the one shown: {key: Conflict}. One more query, for the
    rows deleted meanwhile (who deleted them is in their history), only when there are some."""
    found, deleted = {}, []
    for cell in cells:
        if cell.shown is NOT_CHECKED:
            continue
        row = by_identity.get(cell.identity)
        current = row.hours if row is not None else None
        shown = None if cell.shown is None else Decimal(cell.shown).quantize(rules.HUNDREDTH)
        if current != shown:
            by = row.updated_by.full_name if row is not None and row.updated_by is not None else ""
            found[cell.key] = Conflict(shown, current, by)
            if row is None:
                deleted.append(cell)
    if deleted:
        last = {}
        removals = HourEntry.history.filter(
            history_type="-", month__in={c.month for c in deleted},
            award_id__in={(c.assignment.award_id if c.assignment is not None else c.award.pk) for c in deleted},
        ).select_related("history_user").order_by("history_date")  # fmt: skip
        for removal in removals:
            if removal.assignment_id is not None:
                last[("contract", removal.assignment_id, removal.month, removal.kind)] = removal.history_user
            else:
                last[("sub", removal.award_id, removal.subcontractor_id, removal.month)] = removal.history_user
        for cell in deleted:
            user = last.get(cell.identity)
            found[cell.key] = replace(found[cell.key], by=user.full_name if user is not None else "")
    return found


def _existing_entries(cells):
    """The rows the cells would touch, and every other row of the same contracts in the same months (the legal
    ceiling is per person and month, whatever the markets): two queries."""
    assignment_ids = {c.assignment.pk for c in cells if c.assignment is not None}
    contract_ids = {c.assignment.contract_id for c in cells if c.assignment is not None}
    months = {c.month for c in cells}
    person_rows = list(
        HourEntry.objects.filter(assignment__contract__in=contract_ids, month__in=months).select_related(
            "assignment", "updated_by"
        )
    )
    sub_rows = list(
        HourEntry.objects.filter(
            subcontractor__isnull=False,
            award__in={c.award.pk for c in cells if c.assignment is None},
            month__in=months,
        ).select_related("updated_by")
    )
    by_identity = {}
    for row in person_rows:
        if row.assignment_id in assignment_ids:
            by_identity[("contract", row.assignment_id, row.month, row.kind)] = row
    for row in sub_rows:
        by_identity[("sub", row.award_id, row.subcontractor_id, row.month)] = row
    return by_identity, person_rows


def _lock(cells):
    """Two statements saved at the same moment on the same contracts (or the same subcontracted awards) wait for
    each other: the second one then sees the first one's rows, instead of failing on the unique constraints."""
    contracts = {cell.assignment.contract_id for cell in cells if cell.assignment is not None}
    awards = {cell.award.pk for cell in cells if cell.assignment is None and cell.award is not None}
    if contracts:
        list(WorkContract.objects.select_for_update().filter(pk__in=contracts).order_by("pk").values_list("pk"))
    if awards:
        list(Award.objects.select_for_update().filter(pk__in=awards).order_by("pk").values_list("pk"))


def _prepared(cells):
    """The cells with their month as its first day, and their assignment (with its contract and market) or their
    award (with its market) read again: one query each whatever the number of cells, and the checks see the
    contract's dates as they are now, not as an object read earlier had them."""
    cells = [cell if cell.month.day == 1 else replace(cell, month=rules.month_start(cell.month)) for cell in cells]
    assignments = Assignment.objects.select_related("contract", "award__lot__market").in_bulk(
        {cell.assignment.pk for cell in cells if cell.assignment is not None}
    )
    awards = Award.objects.select_related("lot__market").in_bulk(
        {cell.award.pk for cell in cells if cell.assignment is None and cell.award is not None}
    )
    prepared = []
    for cell in cells:
        if cell.assignment is not None:
            cell = replace(cell, assignment=assignments.get(cell.assignment.pk, cell.assignment))
        elif cell.award is not None:
            cell = replace(cell, award=awards.get(cell.award.pk, cell.award))
        prepared.append(cell)
    return prepared


def validate_cells(cells, today=None) -> dict:
    """R-HRS-3 over a whole batch, against what is already recorded: {key: [French messages]}."""
    return check_cells(cells, today)[0]


def check_cells(cells, today=None) -> tuple[dict, dict]:
    """`validate_cells`'s messages, and the recorded rows the cells would touch ({cell identity: HourEntry})."""
    return _validate(_prepared(list(cells)), today)


def _validate(cells, today=None):
    """The errors of prepared cells, and the rows they would touch."""
    today = today or timezone.localdate()
    errors = defaultdict(list)
    by_identity, person_rows = _existing_entries(cells)
    batch = {cell.identity: cell for cell in cells}
    if len(batch) != len(cells):
        seen = set()
        for cell in cells:
            if cell.identity in seen:
                errors[cell.key].append("Ces heures apparaissent deux fois.")
            seen.add(cell.identity)
    # Hours of each contract and month once the batch is applied, every market together.
    totals = defaultdict(lambda: defaultdict(Decimal))
    for row in person_rows:
        identity = ("contract", row.assignment_id, row.month, row.kind)
        if identity not in batch:
            totals[(row.assignment.contract_id, row.month)][row.kind] += row.hours
    keys_of = defaultdict(list)
    for cell in cells:
        if cell.hours is not None and cell.hours < 0:
            errors[cell.key].append("Les heures ne peuvent pas être négatives.")
        if cell.hours is not None and cell.hours > rules.MAX_HOURS_PER_ENTRY:
            errors[cell.key].append("Ce nombre d'heures n'est pas plausible.")
        market = (cell.assignment.award if cell.assignment is not None else cell.award).lot.market
        if cell.hours is not None:
            if market.status not in ATTRIBUTED or not market.attribution_date:
                errors[cell.key].append(f"Le marché {market.reference} n'est pas encore attribué.")
            elif cell.month < rules.month_start(market.attribution_date):
                errors[cell.key].append(
                    f"Le marché {market.reference} a été attribué le {market.attribution_date:%d/%m/%Y} : "
                    f"pas d'heures avant."
                )
        if cell.assignment is None:
            if cell.kind != HourKind.SOUS_TRAITANCE:
                errors[cell.key].append("Sans contrat, seules des heures sous-traitées peuvent être déclarées.")
            if cell.subcontractor.kind not in SUBCONTRACTOR_KINDS:
                errors[cell.key].append(SUBCONTRACTOR_MESSAGE)
            if cell.hours is not None and cell.month > rules.month_start(today):
                errors[cell.key].append(f"{rules.month_label(cell.month).capitalize()} n'a pas encore commencé.")
            continue
        if cell.kind not in PERSON_KINDS:
            errors[cell.key].append("Un contrat porte des heures travaillées ou de formation.")
        contract_month = (cell.assignment.contract_id, cell.month)
        if cell.hours is not None:
            totals[contract_month][cell.kind] += cell.hours
        keys_of[contract_month].append(cell)
    contracts = {c.assignment.contract_id: c.assignment.contract for c in cells if c.assignment is not None}
    for (contract_id, month), kinds in keys_of.items():
        declared = [cell for cell in kinds if cell.hours is not None]
        if not declared:
            continue
        problems = rules.hours_problems(
            period=contracts[contract_id].period, month=month, hours_by_kind=totals[(contract_id, month)], today=today
        )
        for problem in problems:
            if problem.startswith("Les heures ne peuvent"):
                continue  # already said on the cell
            for cell in declared:
                if problem not in errors[cell.key]:
                    errors[cell.key].append(problem)
    return {key: messages for key, messages in errors.items() if messages}, by_identity


def _update_with_history(rows, fields, by):
    """Write `fields` of the rows as one upsert on their primary key per batch, then their history.

    Django's bulk_update builds a CASE per field and row: 14 s for the 5 000 rows of an import, against a fraction
    of a second for INSERT … ON CONFLICT (id) DO UPDATE. The rows exist, so nothing is inserted."""
    created = [row.created_at for row in rows]  # bulk_create stamps auto_now_add fields on the objects
    HourEntry.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["id"], update_fields=fields, batch_size=500
    )
    for row, created_at in zip(rows, created, strict=True):
        row.created_at = created_at
    bulk_update_with_history(rows, HourEntry, [], batch_size=500, default_user=by)  # [] : the history only


@transaction.atomic
def hours_save(*, cells, by, source=HourSource.SAISIE, hour_import=None, today=None) -> SaveResult:
    """Record a month's statement — or a whole import — all at once: every cell is checked first, and if any
    is wrong nothing is written. Writing the same values again changes nothing. Cells carrying the value the
    person saw (`shown`) are checked against what is recorded, under the lock: if someone else changed one of them
    meanwhile, nothing is written and `conflicts` says which, what and who (no lost update)."""
    cells = list(cells)
    _lock(cells)
    cells = _prepared(cells)
    errors, by_identity = _validate(cells, today)
    conflicts = _conflicts(cells, by_identity)
    if conflicts or errors:
        return SaveResult(errors=errors, conflicts=conflicts)
    result = SaveResult()
    to_create, to_update, to_delete = [], [], []
    for cell in cells:
        row = by_identity.get(cell.identity)
        if cell.hours is None:
            if row is not None:
                to_delete.append(row)
            continue
        hours = Decimal(cell.hours).quantize(rules.HUNDREDTH)
        if row is None:
            to_create.append(
                HourEntry(
                    award=cell.assignment.award if cell.assignment is not None else cell.award,
                    assignment=cell.assignment,
                    subcontractor=cell.subcontractor,
                    month=cell.month,
                    kind=cell.kind,
                    hours=hours,
                    source=source,
                    hour_import=hour_import,
                    updated_by=by,
                )
            )
        elif row.hours != hours:
            row.hours, row.source, row.hour_import, row.updated_by = hours, source, hour_import, by
            row.updated_at = timezone.now()
            to_update.append(row)
        else:
            result.unchanged += 1
    if to_create:
        bulk_create_with_history(to_create, HourEntry, batch_size=500, default_user=by)
    if to_update:
        _update_with_history(to_update, ["hours", "source", "hour_import", "updated_by", "updated_at"], by)
    for row in to_delete:  # one by one, so that each deletion enters the history with who made it
        row._history_user = by
        row.delete()
    result.created, result.updated, result.deleted = len(to_create), len(to_update), len(to_delete)
    return result
