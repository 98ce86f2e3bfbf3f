"""Passages de relais between the référent de parcours and the facilitator (R-SEQ, R-RECONTACT): entry into the
clause, return to the référent when the clause hours end, recontact of a former beneficiary. Atomic; each status
change keeps who made it and when.

This module imports nothing from `suivi.services` at load time: the contract services call it."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership
from participants.enums import ProofKind, ProofStatus, ReferralStatus
from participants.models import Participant, Proof, Referral
from suivi.enums import HandoffDocument, HandoffKind, HandoffStatus, RecontactMethod
from suivi.models import Handoff, Outcome, WorkContract

NO_REFERENT_MESSAGE = (
    "Nommez d'abord le référent de parcours de cette personne (fiche du participant) : le passage de relais "
    "lui est adressé."
)
SENT = (HandoffStatus.ENVOYE, HandoffStatus.ACCUSE)
# R-SEQ: a return is proposed for a clause ended within this window (older ones were handed back outside Clauses).
RETURN_WINDOW = timedelta(days=180)
# R-RECONTACT: a recontact tells the référent about this return of the person, not about every later one.
RECONTACT_VALIDITY = timedelta(days=90)


def referent_side(handoff: Handoff):
    """The prescriber's organisation in a handoff: who sent the person (entry) or gets them back (return,
    recontact). It acknowledges the handoff."""
    if handoff.from_organisation_id == handoff.structure_id:
        return handoff.to_organisation
    return handoff.from_organisation


# --- Contracts seen from the parcours -------------------------------------------------------------------------


def _not_over(on: date) -> Q:
    """A contract still running or to come on `on` (its last day included, as `WorkContract.running_on` counts it):
    a contract is over once its actual or planned end has passed."""
    return (
        Q(actual_end_date__gte=on)
        | Q(actual_end_date__isnull=True, planned_end_date__gte=on)
        | Q(actual_end_date__isnull=True, planned_end_date__isnull=True)
    )


def _last_contract(on_pk="pk"):
    return (
        WorkContract.objects.filter(participant=OuterRef(on_pk))
        .order_by(Coalesce("actual_end_date", "planned_end_date").desc(nulls_first=True), "-start_date", "-pk")
        .values("pk")[:1]
    )


def _last_contract_end():
    return (
        WorkContract.objects.filter(participant=OuterRef("pk"))
        .annotate(end=Coalesce("actual_end_date", "planned_end_date"))
        .order_by(F("end").desc(nulls_first=True))
        .values("end")[:1]
    )


def participants_out_of_clause(on: date, participants=None):
    """R-SEQ: the people whose last contract is over on `on` with no running or future contract, each with
    `last_contract_id`, and none with a return already made or proposed for that contract (cancelled included: a
    facilitator who cancelled a proposal is not asked again)."""
    participants = Participant.objects.all() if participants is None else participants
    contracts = WorkContract.objects.filter(participant=OuterRef("pk"))
    returned = Handoff.objects.filter(
        kind=HandoffKind.RETOUR, participant=OuterRef("pk"), contract_id=OuterRef("last_contract_id")
    )
    last_end = Subquery(_last_contract_end())
    sortie = Outcome.objects.filter(participant=OuterRef("pk"), date__gte=OuterRef("last_end"))
    return (
        participants.filter(Exists(contracts))
        .exclude(Exists(contracts.filter(_not_over(on))))
        .annotate(last_contract_id=Subquery(_last_contract()), last_end=last_end)
        # A clause that ended long ago (data taken over from another tool) is not handed back again today, nor
        # the clause of someone whose sortie is already recorded.
        .filter(last_end__gte=on - RETURN_WINDOW)
        .exclude(Exists(returned))
        .exclude(Exists(sortie))
    )


def participants_awaiting_referent(on: date, participants=None):
    """Out of the clause, to be handed back, but nobody to hand them back to: a référent must be named first."""
    return participants_out_of_clause(on, participants).filter(referent_organisation__isnull=True)


# --- Writes ---------------------------------------------------------------------------------------------------


def _entry_defaults(participant, contract):
    """What the prescriber shared before the hiring: the fiche navette, the proofs (CV among them), the contract."""
    referral = (
        Referral.objects.filter(participant=participant, status=ReferralStatus.ACCEPTEE)
        .order_by("-decided_at", "-pk")
        .first()
    )
    # The person's own proofs and those of the fiche navette accepted for them, not another prescriber's fiche.
    shared = Q(participant=participant) | (Q(referral=referral) if referral is not None else Q(pk__in=[]))
    proofs = list(Proof.objects.filter(shared).exclude(status=ProofStatus.REFUSE))
    documents = []
    if referral is not None:
        documents.append(HandoffDocument.FICHE_NAVETTE)
    if any(proof.kind == ProofKind.CV for proof in proofs):
        documents.append(HandoffDocument.CV)
    if any(proof.kind != ProofKind.CV for proof in proofs):
        documents.append(HandoffDocument.JUSTIFICATIFS)
    if contract is not None:
        documents.append(HandoffDocument.CONTRAT)
    return referral, proofs, documents


@transaction.atomic
def handoff_create(
    *,
    structure,
    participant: Participant,
    kind: str,
    by,
    contract: WorkContract | None = None,
    note: str = "",
    participant_message: str = "",
    to_name: str | None = None,
    documents=None,
    proofs=None,
    on: date | None = None,
    send: bool = False,
) -> Handoff:
    """Prepare a passage de relais (status « à envoyer »), and send it at once when `send`.

    Entry: from the référent's organisation to the structure, with the fiche navette, the proofs, the CV and the
    contract on record unless `documents` / `proofs` say otherwise. Return and recontact: from the structure to the
    référent's organisation; a return concerns the last contract unless `contract` says which."""
    on = on or timezone.localdate()
    if participant.structure_id != structure.pk:
        raise ValidationError({"participant": "Cette personne est suivie par une autre structure."})
    referent = participant.referent_organisation
    if referent is None:
        raise ValidationError({"participant": NO_REFERENT_MESSAGE})
    contracts = list(participant.contracts.all())
    referral = None
    if kind == HandoffKind.ENTREE:
        contract = contract or min(contracts, key=lambda c: (c.start_date, c.pk), default=None)
        referral, default_proofs, default_documents = _entry_defaults(participant, contract)
        proofs = default_proofs if proofs is None else proofs
        documents = default_documents if documents is None else documents
        from_organisation, to_organisation = referent, structure
    elif kind in (HandoffKind.RETOUR, HandoffKind.RECONTACT):
        from_organisation, to_organisation = structure, referent
        if kind == HandoffKind.RETOUR:
            if not contracts:
                raise ValidationError(
                    {"participant": "Cette personne n'a pas eu de contrat dans la clause : rien à rendre au référent."}
                )
            if participant.contracts.filter(_not_over(on)).exists():
                raise ValidationError(
                    {"participant": "Cette personne a encore un contrat en cours ou à venir dans la clause : le "
                     "retour au référent se fait quand ses heures sont terminées."}
                )  # fmt: skip
            contract = contract or max(contracts, key=lambda c: (c.end_date or date.max, c.start_date, c.pk))
        else:
            from suivi.services import is_former_beneficiary  # noqa: PLC0415 (the package imports this module)

            if not is_former_beneficiary(participant, today=on):
                raise ValidationError(
                    {"participant": "Cette personne n'est pas un ancien bénéficiaire : son contrat n'est pas terminé, "
                     "ou elle n'a pas encore travaillé dans la clause."}
                )  # fmt: skip
    else:
        raise ValidationError({"kind": "Choisissez le type de passage de relais."})
    if contract is not None and contract.participant_id != participant.pk:
        raise ValidationError({"contract": "Ce contrat est celui d'une autre personne."})
    handoff = Handoff(
        structure=structure,
        participant=participant,
        kind=kind,
        contract=contract,
        referral=referral,
        from_organisation=from_organisation,
        to_organisation=to_organisation,
        to_name=participant.referent_name if to_name is None else to_name,
        documents=list(documents or []),
        participant_message=participant_message,
        note=note,
        proposed_on=on,
        created_by=by,
    )
    handoff.full_clean()
    handoff.save()
    if proofs:
        handoff.proofs.set(proofs)
    if send:
        handoff = handoff_send(handoff=handoff, by=by)
    return handoff


def handoff_propose_entry(*, contract: WorkContract, by) -> Handoff | None:
    """R-SEQ, entry into the clause: the first contract of a person opens a handoff to send, with what the
    prescriber shared. Nothing when the person had a contract before, or has no référent (said on the page)."""
    participant = contract.participant
    if participant.referent_organisation_id is None:
        return None
    if participant.contracts.exclude(pk=contract.pk).exists():
        return None
    if (
        Handoff.objects.filter(participant=participant, kind=HandoffKind.ENTREE)
        .exclude(status=HandoffStatus.ANNULE)
        .exists()
    ):
        return None
    return handoff_create(
        structure=contract.structure, participant=participant, kind=HandoffKind.ENTREE, by=by, contract=contract
    )


@dataclass
class ReturnProposals:
    created: list = field(default_factory=list)  # the handoffs proposed
    without_referent: list = field(default_factory=list)  # participants to hand back once a référent is named


@transaction.atomic
def handoffs_propose_returns(*, on: date, participant: Participant | None = None) -> ReturnProposals:
    """R-SEQ: propose the return to the référent of everyone whose last contract is over. Idempotent: run every
    day, and whenever a contract gets its actual end date. People without a référent are listed, not handed."""
    result = ReturnProposals()
    participants = Participant.objects.filter(pk=participant.pk) if participant is not None else None
    candidates = list(
        participants_out_of_clause(on, participants).select_related("referent_organisation", "structure")
    )
    contracts = WorkContract.objects.in_bulk([p.last_contract_id for p in candidates])
    for person in candidates:
        if person.referent_organisation_id is None:
            result.without_referent.append(person)
            continue
        handoff = Handoff(
            structure=person.structure,
            participant=person,
            kind=HandoffKind.RETOUR,
            contract=contracts[person.last_contract_id],
            from_organisation=person.structure,
            to_organisation=person.referent_organisation,
            to_name=person.referent_name,
            proposed_on=on,
        )
        handoff.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():  # a contract saved at the same moment may have proposed it already
                handoff.save()
        except IntegrityError:
            continue
        result.created.append(handoff)
    return result


def _locked(handoff):
    return Handoff.objects.select_for_update(of=("self",)).select_related("participant").get(pk=handoff.pk)


@transaction.atomic
def handoff_send(
    *, handoff: Handoff, by, participant_message=None, note=None, documents=None, proofs=None, to_name=None
) -> Handoff:
    """Send a prepared handoff to the référent (the e-mail goes after commit, from the view). A return needs the
    message given to the person: they go back to their référent's active file (R-SEQ)."""
    current = _locked(handoff)
    if current.status != HandoffStatus.A_ENVOYER:
        raise ValidationError(
            f"Ce passage de relais est « {current.get_status_display()} » : il n'est plus à envoyer."
        )
    for name, value in (
        ("participant_message", participant_message),
        ("note", note),
        ("documents", documents),
        ("to_name", to_name),
    ):
        if value is not None:
            setattr(current, name, value)
    # The référent may have changed since the handoff was prepared: it goes to the person's référent of today.
    participant = current.participant
    if participant.referent_organisation_id is None:
        raise ValidationError({"participant": NO_REFERENT_MESSAGE})
    if current.kind == HandoffKind.ENTREE:
        current.from_organisation_id = participant.referent_organisation_id
    else:
        current.to_organisation_id = participant.referent_organisation_id
    if to_name is None and participant.referent_name:
        current.to_name = participant.referent_name
    current.status = HandoffStatus.ENVOYE
    current.sent_on = timezone.localdate()
    current.sent_by = by
    current._change_reason = "envoyé"
    current.full_clean()
    current.save()
    if proofs is not None:
        current.proofs.set(proofs)
    return current


@transaction.atomic
def handoff_acknowledge(*, handoff: Handoff, by, note: str = "") -> Handoff:
    """The référent says they received the handoff; a facilitator may record an acknowledgement given by phone,
    saying so in the note."""
    current = _locked(handoff)
    if current.status == HandoffStatus.ACCUSE:
        received = timezone.localtime(current.acknowledged_at)
        raise ValidationError(f"Ce passage de relais a déjà été reçu le {received:%d/%m/%Y}.")
    if current.status != HandoffStatus.ENVOYE:
        raise ValidationError("Seul un passage de relais envoyé peut être reçu par le référent.")
    memberships = Membership.objects.active().filter(user=by)
    referent = referent_side(current)
    if memberships.filter(role=Role.PRESCRIPTEUR, organisation=referent).exists():
        pass
    elif memberships.staff().filter(organisation_id=current.structure_id).exists():
        if not (note or "").strip():
            raise ValidationError(
                {"acknowledgement_note": "Notez comment le référent a confirmé la réception : par téléphone, "
                 "par e-mail, avec qui."}
            )  # fmt: skip
    else:
        raise ValidationError("Seul le référent de parcours de la personne peut accuser réception.")
    current.status = HandoffStatus.ACCUSE
    current.acknowledged_at = timezone.now()
    current.acknowledged_by = by
    current.acknowledgement_note = (note or "").strip()
    current._change_reason = "reçu par le référent"
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def handoff_cancel(*, handoff: Handoff, by, reason: str = "") -> Handoff:
    """Withdraw a handoff not yet received (sent by mistake, person back under contract…)."""
    current = _locked(handoff)
    if current.status == HandoffStatus.ANNULE:
        raise ValidationError("Ce passage de relais est déjà annulé.")
    if current.status == HandoffStatus.ACCUSE:
        raise ValidationError("Le référent a déjà reçu ce passage de relais : il ne peut plus être annulé.")
    current.status = HandoffStatus.ANNULE
    current._change_reason = f"annulé : {reason.strip()}"[:100] if (reason or "").strip() else "annulé"
    current._history_user = by
    # Only the status changes: a return cancelled before it was sent has no message to the person, and needs none.
    current.save(update_fields=["status", "updated_at"])
    return current


# --- R-RECONTACT ----------------------------------------------------------------------------------------------


def recontact_notice(participant: Participant):
    """(date, method, note) when a recontact handoff was sent to the référent after the person's last contract
    ended, and recently: each return of a former beneficiary is told to the référent (R-RECONTACT). None
    otherwise."""
    ends = [c.end_date for c in participant.contracts.all()]
    if not ends or any(end is None for end in ends):
        return None
    handoff = (
        Handoff.objects.filter(
            participant=participant,
            kind=HandoffKind.RECONTACT,
            status__in=SENT,
            sent_on__gte=max(max(ends), timezone.localdate() - RECONTACT_VALIDITY),
        )
        .order_by("-sent_on", "-pk")
        .first()
    )
    if handoff is None:
        return None
    return (
        handoff.sent_on,
        RecontactMethod.EMAIL,
        f"Passage de relais « recontact » envoyé au référent le {handoff.sent_on:%d/%m/%Y}.",
    )


# --- E-mails --------------------------------------------------------------------------------------------------


def referent_addresses(participant: Participant, organisation) -> list[str]:
    """Who, in the référent's organisation, hears about a person: their named référent when they have an account
    there, else the organisation's active prescribers (never a whole agency when the counsellor is known)."""
    if organisation is None or organisation.kind != OrganisationKind.PRESCRIPTEUR:
        return []
    members = Membership.objects.active().filter(organisation=organisation, role=Role.PRESCRIPTEUR)
    addresses = sorted(members.values_list("user__email", flat=True))
    named = (participant.referent_email or "").strip().lower()
    return [address for address in addresses if address.lower() == named] or addresses


def handoff_recipients(handoff: Handoff) -> list[str]:
    return referent_addresses(handoff.participant, referent_side(handoff))


def handoff_send_email(*, handoff: Handoff) -> int:
    recipients = handoff_recipients(handoff)
    if not recipients or handoff.status != HandoffStatus.ENVOYE:
        return 0
    context = {
        "handoff": handoff,
        "person": handoff.participant,
        "url": settings.SITE_URL + handoff.get_absolute_url(),
    }
    subject = render_to_string("suivi/emails/handoff_subject.txt", context).strip()
    body = render_to_string("suivi/emails/handoff_body.txt", context)
    send_mail(settings.EMAIL_SUBJECT_PREFIX + subject, body, None, recipients)
    return len(recipients)
