"""The eligibility engine (R-ELIG-1 to R-ELIG-4): plain functions over plain values, no database.

A criterion (`Rule`) is met when
- the facts recorded about the person hold on the assessment day — the market's attribution date (R-ELIG-1):
  age, registration duration, benefit…, and
- each of its proof requirements is covered by a proof of an accepted kind, current on the day the proofs are
  checked (issued by then, not older than the requirement's maximum age, not expired) and verified by a
  facilitator. Proofs are checked when the diagnosis is made: a person hired a year after the attribution
  brings recent papers showing their situation, not papers from the attribution day.
The IAE "fiche n°2" never proves anything by itself (R-ELIG-3).
"""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta

from participants.enums import LOW_QUALIFICATION, ProofKind, SocialBenefit

DIAGNOSIS_VALIDITY = relativedelta(months=24)  # R-ELIG-1: eligibility to a clause lasts 24 months
YOUNG_AGE_LIMIT = 26
SENIOR_AGE = 50
LONG_TERM_MONTHS = 12
VERY_LONG_TERM_MONTHS = 24
NEVER_A_PROOF = ProofKind.FICHE_2_IAE


@dataclass(frozen=True)
class Facts:
    """What is recorded about a person's situation (participants.Participant or a fiche navette)."""

    birth_date: date | None = None
    registration_date: date | None = None  # France Travail
    social_benefit: str = SocialBenefit.AUCUN
    rqth: bool = False
    refugee: bool = False
    under_justice: bool = False
    siae_employee: bool = False
    qualification_level: str = ""
    young_inactive: bool = False  # under 26, without experience, 6 months inactive since school
    qpv_resident: bool = False


@dataclass(frozen=True)
class ProofItem:
    kind: str
    issue_date: date | None
    valid_until: date | None = None
    verified: bool = False
    ref: object = None  # the Proof it stands for, to list it in a diagnosis


@dataclass(frozen=True)
class Requirement:
    """One proof to bring: any of `kinds`, at most `max_age_days` old on the day (None: no limit)."""

    kinds: tuple
    max_age_days: int | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    public: str  # marches.enums.TargetPublic, "" for a priority that is not an eligibility (QPV)
    requirements: tuple = ()


@dataclass(frozen=True)
class Result:
    code: str
    label: str
    public: str
    facts_hold: bool
    met: bool
    reason: str
    proofs: tuple = field(default=())
    to_verify: bool = False


# --- Dates ----------------------------------------------------------------------------------------------------


def age_on(birth_date, day):
    """Age in whole years on `day` (a person is 26 from their 26th birthday on)."""
    return relativedelta(day, birth_date).years


def full_months(start, day):
    """Whole months from `start` to `day` (12 on the same day one year later)."""
    if day < start:
        return 0
    delta = relativedelta(day, start)
    return delta.years * 12 + delta.months


def diagnosis_valid_until(assessed_on):
    return assessed_on + DIAGNOSIS_VALIDITY


def is_still_valid(valid_until, day):
    return day <= valid_until


# --- Facts ----------------------------------------------------------------------------------------------------


def facts_hold(code, facts, on):
    """Whether the recorded facts satisfy criterion `code` on `on`, and why not."""
    age = age_on(facts.birth_date, on) if facts.birth_date else None
    registered = facts.registration_date and facts.registration_date <= on
    months = full_months(facts.registration_date, on) if registered else 0
    match code:
        case "deld":
            return months >= LONG_TERM_MONTHS, f"inscrit depuis {months} mois (12 mois au moins)"
        case "detld":
            return months >= VERY_LONG_TERM_MONTHS, f"inscrit depuis {months} mois (24 mois au moins)"
        case "rsa" | "ass" | "aah":
            return facts.social_benefit == code, "allocation déclarée : " + (
                SocialBenefit(facts.social_benefit).label if facts.social_benefit else "aucune"
            )
        case "rqth":
            return facts.rqth, "RQTH déclarée" if facts.rqth else "pas de RQTH déclarée"
        case "jeune":
            if age is None:
                return False, "date de naissance inconnue"
            low = facts.qualification_level in LOW_QUALIFICATION or facts.young_inactive
            return age < YOUNG_AGE_LIMIT and low, f"{age} ans" + ("" if low else ", qualifié et avec de l'expérience")
        case "senior":
            if age is None:
                return False, "date de naissance inconnue"
            return age >= SENIOR_AGE and bool(registered), f"{age} ans" + (
                ", inscrit à France Travail" if registered else ", pas inscrit à France Travail"
            )
        case "justice":
            return facts.under_justice, "sous main de justice" if facts.under_justice else "non déclaré"
        case "refugie":
            return facts.refugee, "statut déclaré" if facts.refugee else "non déclaré"
        case "siae":
            return facts.siae_employee, "salarié d'une SIAE" if facts.siae_employee else "non déclaré"
        case "qpv":
            return facts.qpv_resident, "réside en QPV" if facts.qpv_resident else "ne réside pas en QPV"
    return False, "critère inconnu"


# --- Proofs ---------------------------------------------------------------------------------------------------


def proof_is_current(proof, requirement, on):
    """A proof covers a requirement on `on` if of an accepted kind, issued by then, fresh enough, not expired."""
    if proof.kind == NEVER_A_PROOF or proof.kind not in requirement.kinds:
        return False
    if proof.issue_date is None or proof.issue_date > on:
        return False
    if requirement.max_age_days is not None and (on - proof.issue_date).days > requirement.max_age_days:
        return False
    return proof.valid_until is None or proof.valid_until >= on


def _requirement_reason(requirement, proofs, on):
    kinds = " ou ".join(ProofKind(kind).label for kind in requirement.kinds)
    same_kind = [p for p in proofs if p.kind in requirement.kinds]
    if not same_kind:
        if any(p.kind == NEVER_A_PROOF for p in proofs):
            return f"la fiche n°2 IAE ne prouve pas à elle seule l'éligibilité : il faut {kinds}"
        return f"manque : {kinds}"
    if requirement.max_age_days is not None and all(
        p.issue_date and (on - p.issue_date).days > requirement.max_age_days for p in same_kind
    ):
        return f"{kinds} de plus de {requirement.max_age_days} jours"
    return f"{kinds} pas en cours de validité"


def assess(rule, facts, proofs, on, *, proofs_on=None, verified_only=True):
    """Whether `rule` is met: facts on `on`, proofs current on `proofs_on` (default: `on`). With
    `verified_only`, proofs must have been verified by a facilitator; without it (a prescriber's draft), the
    result says what will be met once they are."""
    proofs_on = proofs_on or on
    holds, fact_reason = facts_hold(rule.code, facts, on)
    if not holds:
        return Result(rule.code, rule.label, rule.public, False, False, fact_reason)
    used, to_verify = [], False
    for requirement in rule.requirements:
        current = [p for p in proofs if proof_is_current(p, requirement, proofs_on)]
        if not current:
            reason = _requirement_reason(requirement, proofs, proofs_on)
            return Result(rule.code, rule.label, rule.public, True, False, reason)
        verified = [p for p in current if p.verified]
        if verified:
            used.append(verified[0])
        elif verified_only:
            return Result(rule.code, rule.label, rule.public, True, False, "justificatif à vérifier", to_verify=True)
        else:
            used.append(current[0])
            to_verify = True
    reason = fact_reason + (" — justificatif à vérifier" if to_verify else "")
    return Result(rule.code, rule.label, rule.public, True, True, reason, tuple(p.ref for p in used), to_verify)


def assess_all(rules, facts, proofs, on, *, proofs_on=None, verified_only=True):
    return [assess(rule, facts, proofs, on, proofs_on=proofs_on, verified_only=verified_only) for rule in rules]


def eligible_for(results, market_publics=()):
    """Eligibility to a market: a met criterion whose public the market retains (all publics when it names none).
    A priority that is not a public (QPV residence) never makes anyone eligible on its own."""
    wanted = set(market_publics)
    return [r for r in results if r.met and r.public and (not wanted or r.public in wanted)]


# --- R-ELIG-4 -------------------------------------------------------------------------------------------------


def apprenticeship_hours_count(*, eligible, hired_on, attribution_date, justified_exception=False):
    """Hours of an apprenticeship or professionalisation contract count only for an eligible person, and not
    when they were hired before the market's attribution, unless a facilitator recorded a justified exception."""
    if not eligible:
        return False
    if attribution_date and hired_on < attribution_date:
        return justified_exception
    return True
