"""Writes and reads on the skills follow-up documents (R-REFERENT): one at the start and one at the end of each
contract, filled for the participant, the company (the tutor) and the référent; and the référent's synthesis
across all the contracts of one person."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from suivi.enums import DEFAULT_SKILLS, ReviewMoment, SkillArea, SkillLevel
from suivi.models import SkillsReview, SkillsReviewItem, WorkContract

# At most this many technical skills are taken from the job offer's "compétences requises".
MAX_JOB_SKILLS = 4
MAX_ITEMS = 40
# R-REFERENT timing: the start document within the first month, the end one from two weeks before the end date.
START_REVIEW_WITHIN = relativedelta(months=1)
END_REVIEW_FROM = timedelta(days=14)
LEVEL_FIELDS = ("participant_level", "company_level", "referent_level")
HEADER_FIELDS = (
    "review_date",
    "company_person",
    "referent_person",
    "participant_comment",
    "company_comment",
    "referent_comment",
    "next_steps",
)
BULLET = re.compile(r"^[\s\-–—•*·]+")


# --- Pre-filled items -----------------------------------------------------------------------------------------


def job_skills(text: str) -> list[str]:
    """The technical skills of a job offer's "compétences requises": one per line, bullets and final dots dropped."""
    skills = []
    for line in (text or "").splitlines():
        label = BULLET.sub("", line).strip().rstrip(".;").strip()
        if label and label.casefold() not in {s.casefold() for s in skills}:
            skills.append(label[:1].upper() + label[1:200])
        if len(skills) == MAX_JOB_SKILLS:
            break
    return skills


def start_items(contract: WorkContract) -> list[tuple[str, str]]:
    """(area, label) of a start-of-contract document: the default skills, then the job's own."""
    items = [(str(area), label) for area, label in DEFAULT_SKILLS]
    offer = contract.positioning.offer if contract.positioning_id else None
    known = {label.casefold() for _, label in items}
    for label in job_skills(offer.skills if offer else ""):
        if label.casefold() not in known:
            items.append((SkillArea.TECHNIQUE.value, label))
    return items


def end_items(contract: WorkContract) -> list[tuple[str, str]]:
    """(area, label) of an end-of-contract document: the start document's skills, so that progress shows."""
    start = SkillsReview.objects.filter(contract=contract, moment=ReviewMoment.DEBUT).first()
    if start is not None:
        items = [(item.area, item.label) for item in start.items.all()]
        if items:
            return items
    return start_items(contract)


@transaction.atomic
def skills_review_create(*, contract: WorkContract, moment: str, by, review_date: date | None = None) -> SkillsReview:
    """Open the skills follow-up document of a contract at its start or its end, with its skills pre-filled."""
    if moment not in ReviewMoment.values:
        raise ValidationError({"moment": "Choisissez le document de début ou de fin de contrat."})
    contract = WorkContract.objects.select_related("participant__referent_organisation", "positioning__offer").get(
        pk=contract.pk
    )
    participant = contract.participant
    referent = participant.referent_name or (
        participant.referent_organisation.name if participant.referent_organisation_id else ""
    )
    review = SkillsReview(
        contract=contract,
        moment=moment,
        review_date=review_date or timezone.localdate(),
        company_person=contract.tutor_name,
        referent_person=referent[:150],
        created_by=by,
    )
    review.full_clean()  # the document exists already: a French message (unique constraint)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise ValidationError("Ce document existe déjà pour ce contrat.") from None
    items = start_items(contract) if moment == ReviewMoment.DEBUT else end_items(contract)
    SkillsReviewItem.objects.bulk_create(
        SkillsReviewItem(review=review, area=area, label=label, position=index)
        for index, (area, label) in enumerate(items, start=1)
    )
    return review


# --- Saving a filled document ---------------------------------------------------------------------------------


def _level(value):
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError("Niveau inconnu.") from None
    if value not in SkillLevel.values:
        raise ValidationError("Niveau inconnu.")
    return value


@transaction.atomic
def skills_review_update(*, review: SkillsReview, header: dict, items: list[dict], by) -> SkillsReview:
    """Save the header and the whole list of skills of a document, in the order given: rows with an `id` update
    that skill of the document, rows without create one, skills of the document not listed are removed. All or
    nothing: a refused row leaves the document as it was."""
    review = SkillsReview.objects.select_for_update().select_related("contract").get(pk=review.pk)
    errors = {}
    for name in HEADER_FIELDS:
        if name in header:
            value = header[name]
            setattr(review, name, value.strip() if isinstance(value, str) else value)
    if review.review_date and review.review_date > timezone.localdate():
        errors["review_date"] = "La date de l'entretien est dans le futur."
    elif review.review_date and review.moment == ReviewMoment.FIN and review.review_date < review.contract.start_date:
        errors["review_date"] = "Le bilan de fin de contrat ne peut pas précéder le début du contrat."
    if errors:
        raise ValidationError(errors)
    review.full_clean()

    existing = {item.pk: item for item in review.items.all()}
    rows = [row for row in items if not row.get("delete")]
    if not rows:
        raise ValidationError("Le document suit au moins une compétence.")
    if len(rows) > MAX_ITEMS:
        raise ValidationError(f"Un document suit au plus {MAX_ITEMS} compétences.")
    seen = set()
    kept, new = [], []
    for position, row in enumerate(rows, start=1):
        label = (row.get("label") or "").strip()
        if not label:
            raise ValidationError("Chaque ligne gardée nomme une compétence.")
        if label.casefold() in seen:
            raise ValidationError(f"La compétence « {label} » figure deux fois.")
        seen.add(label.casefold())
        if row.get("area") not in SkillArea.values:
            raise ValidationError(f"Choisissez le domaine de la compétence « {label} ».")
        item_id = row.get("id")
        if item_id:
            item = existing.get(int(item_id))
            if item is None:
                raise ValidationError("Une ligne n'appartient pas à ce document : rechargez la page.")
        else:
            item = SkillsReviewItem(review=review)
        item.label, item.area, item.position = label, row["area"], position
        for name in LEVEL_FIELDS:
            setattr(item, name, _level(row.get(name)))
        item.full_clean()
        (kept if item.pk else new).append(item)
    removed = set(existing) - {item.pk for item in kept}
    # Deleted and saved one by one, so that each change has its history (a document has a few dozen rows at most).
    for pk in removed:
        existing[pk].delete()
    for item in kept + new:
        item.save()
    review.save()
    return review


# --- Reading: state of the documents and the synthesis --------------------------------------------------------


@dataclass
class ReviewSlot:
    """One of the two documents of a contract, filled or not, and when it is due."""

    moment: str
    label: str
    review: SkillsReview | None
    due_from: date | None
    due_by: date | None
    state: str  # "rempli", "commence", "a_venir", "a_faire", "en_retard", "sans_date"
    hint: str

    @property
    def tone(self):
        return {"rempli": "success", "commence": "info", "a_faire": "warning", "en_retard": "danger"}.get(
            self.state, "secondary"
        )


def is_filled(review: SkillsReview) -> bool:
    """A document counts as filled once one level at least is given (prefetch `items`)."""
    return any(getattr(item, name) is not None for item in review.items.all() for name in LEVEL_FIELDS)


def review_window(contract: WorkContract, moment: str) -> tuple[date | None, date | None]:
    """(due from, due by) of a document: the start one within the first month of the contract, the end one from
    two weeks before its end (no window for a CDI with no end in sight)."""
    if moment == ReviewMoment.DEBUT:
        return contract.start_date, contract.start_date + START_REVIEW_WITHIN
    end = contract.end_date
    if end is None:
        return None, None
    return end - END_REVIEW_FROM, end


def review_slot(contract: WorkContract, moment: str, review: SkillsReview | None, today: date) -> ReviewSlot:
    due_from, due_by = review_window(contract, moment)
    label = ReviewMoment(moment).label
    if review is not None and is_filled(review):
        state, hint = "rempli", f"Rempli le {review.review_date:%d/%m/%Y}."
    elif due_from is None:
        state, hint = "sans_date", "À remplir quand la fin du contrat approche."
    elif today < due_from:
        state, hint = "a_venir", f"À remplir à partir du {due_from:%d/%m/%Y}."
    elif today <= due_by:
        state, hint = "a_faire", f"À remplir avant le {due_by:%d/%m/%Y}."
    else:
        state, hint = "en_retard", f"À remplir : attendu au plus tard le {due_by:%d/%m/%Y}."
    if state != "rempli" and review is not None:
        state = "commence" if state in ("a_venir", "sans_date") else state
        hint = "Ouvert, aucun niveau saisi. " + hint
    return ReviewSlot(moment, label, review, due_from, due_by, state, hint)


def contract_review_slots(contract: WorkContract, reviews, today: date) -> list[ReviewSlot]:
    """The start and end documents of a contract (`reviews`: its documents, items prefetched)."""
    by_moment = {review.moment: review for review in reviews}
    return [review_slot(contract, moment, by_moment.get(moment), today) for moment in ReviewMoment.values]


@dataclass
class SkillProgress:
    label: str
    area: str
    start: SkillsReviewItem | None = None
    end: SkillsReviewItem | None = None

    @staticmethod
    def _level(item):
        """The level retained for a skill: the référent's, else the company's, else the participant's."""
        if item is None:
            return None
        for name in ("referent_level", "company_level", "participant_level"):
            if getattr(item, name) is not None:
                return getattr(item, name)
        return None

    @property
    def start_level(self):
        return self._level(self.start)

    @property
    def end_level(self):
        return self._level(self.end)

    @property
    def evolution(self) -> str:
        start, end = self.start_level, self.end_level
        if start is None or end is None:
            return ""
        if end > start:
            return "en progrès"
        if end < start:
            return "en recul"
        return "stable"

    @property
    def area_label(self):
        return SkillArea(self.area).label if self.area in SkillArea.values else ""


@dataclass
class ContractSynthesis:
    contract: WorkContract
    start: SkillsReview | None = None
    end: SkillsReview | None = None
    skills: list[SkillProgress] = field(default_factory=list)

    @property
    def improved(self):
        return sum(1 for skill in self.skills if skill.evolution == "en progrès")

    @property
    def compared(self):
        return sum(1 for skill in self.skills if skill.evolution)


def skills_synthesis(contracts, reviews) -> list[ContractSynthesis]:
    """Per contract (oldest first), each skill's level at the start and at the end, and how it evolved. The level
    compared is the référent's, else the company's, else the participant's. `reviews`: the documents of these
    contracts with their items prefetched."""
    by_contract = {}
    for review in reviews:
        by_contract.setdefault(review.contract_id, {})[review.moment] = review
    result = []
    for contract in sorted(contracts, key=lambda c: (c.start_date, c.pk)):
        documents = by_contract.get(contract.pk, {})
        entry = ContractSynthesis(contract, documents.get(ReviewMoment.DEBUT), documents.get(ReviewMoment.FIN))
        skills = {}
        for moment, review in ((ReviewMoment.DEBUT, entry.start), (ReviewMoment.FIN, entry.end)):
            for item in review.items.all() if review else ():
                skill = skills.setdefault(item.label.casefold(), SkillProgress(item.label, item.area))
                setattr(skill, "start" if moment == ReviewMoment.DEBUT else "end", item)
        entry.skills = list(skills.values())
        result.append(entry)
    return result
