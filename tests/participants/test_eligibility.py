"""The eligibility engine (R-ELIG-1 to R-ELIG-4), at boundary dates and as properties."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from participants import eligibility
from participants.eligibility import Facts, ProofItem, Requirement, Rule, assess
from participants.enums import ProofKind, QualificationLevel, SocialBenefit

ON = date(2026, 3, 1)
FRANCE_TRAVAIL = Requirement((ProofKind.ATTESTATION_FRANCE_TRAVAIL,), 92)
IDENTITY = Requirement((ProofKind.IDENTITE, ProofKind.TITRE_SEJOUR))
DELD = Rule("deld", "DELD", "deld", (FRANCE_TRAVAIL,))
JEUNE = Rule("jeune", "Jeune", "jeunes", (IDENTITY,))
SENIOR = Rule("senior", "Senior", "seniors", (IDENTITY, FRANCE_TRAVAIL))
SIAE = Rule("siae", "SIAE", "siae", (Requirement((ProofKind.ATTESTATION_SIAE,), 92),))
RSA = Rule("rsa", "RSA", "minima_sociaux", (Requirement((ProofKind.ATTESTATION_CAF,), 92),))
QPV = Rule("qpv", "QPV", "", (Requirement((ProofKind.DOMICILE,), 92),))


def attestation(issued=ON - timedelta(days=10), kind=ProofKind.ATTESTATION_FRANCE_TRAVAIL, verified=True, **kw):
    return ProofItem(kind, issued, verified=verified, **kw)


IDENTITY_CARD = ProofItem(ProofKind.IDENTITE, date(2020, 1, 1), valid_until=date(2030, 1, 1), verified=True)


def test_r_elig_2_exactly_12_months_of_registration_is_long_term():
    facts = Facts(registration_date=date(2025, 3, 1))
    assert assess(DELD, facts, [attestation()], ON).met
    one_day_short = Facts(registration_date=date(2025, 3, 2))
    result = assess(DELD, one_day_short, [attestation()], ON)
    assert not result.met and "11 mois" in result.reason


def test_r_elig_2_26th_birthday_on_the_attribution_date_is_no_longer_young():
    young = Facts(birth_date=date(2000, 3, 2), qualification_level=QualificationLevel.NIVEAU_3)
    assert assess(JEUNE, young, [IDENTITY_CARD], ON).met  # 25 the day before their birthday
    birthday = Facts(birth_date=date(2000, 3, 1), qualification_level=QualificationLevel.NIVEAU_3)
    result = assess(JEUNE, birthday, [IDENTITY_CARD], ON)
    assert not result.met and result.reason.startswith("26 ans")


def test_r_elig_2_young_and_qualified_needs_the_inactivity():
    qualified = Facts(birth_date=date(2004, 1, 1), qualification_level=QualificationLevel.NIVEAU_5)
    assert not assess(JEUNE, qualified, [IDENTITY_CARD], ON).met
    inactive = Facts(birth_date=date(2004, 1, 1), qualification_level=QualificationLevel.NIVEAU_5, young_inactive=True)
    assert assess(JEUNE, inactive, [IDENTITY_CARD], ON).met


def test_r_elig_2_senior_needs_50_years_and_a_registration_with_both_proofs():
    facts = Facts(birth_date=date(1976, 3, 1), registration_date=date(2026, 1, 1))
    assert assess(SENIOR, facts, [IDENTITY_CARD, attestation()], ON).met
    assert not assess(SENIOR, facts, [IDENTITY_CARD], ON).met  # the attestation is missing
    assert not assess(SENIOR, Facts(birth_date=date(1976, 3, 2), registration_date=date(2026, 1, 1)),
                      [IDENTITY_CARD, attestation()], ON).met  # fmt: skip  # 49 the day before


def test_r_elig_3_a_proof_one_day_too_old_does_not_count():
    facts = Facts(registration_date=date(2024, 1, 1))
    assert assess(DELD, facts, [attestation(issued=ON - timedelta(days=92))], ON).met
    too_old = assess(DELD, facts, [attestation(issued=ON - timedelta(days=93))], ON)
    assert not too_old.met and "de plus de 92 jours" in too_old.reason


def test_r_elig_3_a_proof_issued_after_the_date_or_expired_does_not_count():
    facts = Facts(registration_date=date(2024, 1, 1))
    assert not assess(DELD, facts, [attestation(issued=ON + timedelta(days=1))], ON).met
    rqth = Rule("rqth", "RQTH", "rqth", (Requirement((ProofKind.NOTIFICATION_RQTH,)),))
    expired = ProofItem(
        ProofKind.NOTIFICATION_RQTH, date(2020, 1, 1), valid_until=ON - timedelta(days=1), verified=True
    )
    current = ProofItem(ProofKind.NOTIFICATION_RQTH, date(2020, 1, 1), valid_until=ON, verified=True)
    assert not assess(rqth, Facts(rqth=True), [expired], ON).met
    assert assess(rqth, Facts(rqth=True), [current], ON).met


def test_r_elig_3_the_iae_fiche_2_alone_never_proves_eligibility():
    fiche_2 = ProofItem(ProofKind.FICHE_2_IAE, ON - timedelta(days=5), verified=True)
    result = assess(SIAE, Facts(siae_employee=True), [fiche_2], ON)
    assert not result.met
    assert "la fiche n°2 IAE ne prouve pas à elle seule" in result.reason
    # even if someone lists it among a criterion's accepted kinds
    lax = Rule("siae", "SIAE", "siae", (Requirement((ProofKind.FICHE_2_IAE,)),))
    assert not assess(lax, Facts(siae_employee=True), [fiche_2], ON).met


def test_r_elig_3_unverified_proofs_count_only_for_a_preview():
    facts = Facts(social_benefit=SocialBenefit.RSA)
    pending = attestation(kind=ProofKind.ATTESTATION_CAF, verified=False)
    verdict = assess(RSA, facts, [pending], ON)
    assert not verdict.met and verdict.to_verify
    preview = assess(RSA, facts, [pending], ON, verified_only=False)
    assert preview.met and preview.to_verify


def test_r_elig_1_facts_at_the_attribution_date_proofs_when_checked():
    attributed = date(2025, 12, 1)
    checked = date(2026, 11, 20)
    facts = Facts(registration_date=date(2024, 12, 1))  # 12 months at the attribution, 23 when checked
    recent = attestation(issued=date(2026, 11, 1))
    assert assess(DELD, facts, [recent], attributed, proofs_on=checked).met
    assert not assess(DELD, facts, [recent], attributed).met  # a paper issued after the day checked
    late = Facts(registration_date=date(2025, 2, 1))  # only 10 months at the attribution
    assert not assess(DELD, late, [recent], attributed, proofs_on=checked).met


def test_r_elig_1_a_diagnosis_lasts_24_months():
    valid_until = eligibility.diagnosis_valid_until(ON)
    assert valid_until == date(2028, 3, 1)
    assert eligibility.is_still_valid(valid_until, date(2028, 3, 1))
    assert not eligibility.is_still_valid(valid_until, date(2028, 3, 2))  # 24 months and one day


def test_r_elig_2_a_market_narrows_the_publics_and_qpv_alone_is_a_priority():
    facts = Facts(registration_date=date(2024, 1, 1), qpv_resident=True)
    proofs = [attestation(), attestation(kind=ProofKind.DOMICILE)]
    results = eligibility.assess_all([DELD, QPV], facts, proofs, ON)
    assert [r.code for r in eligibility.eligible_for(results)] == ["deld"]
    assert [r.code for r in eligibility.eligible_for(results, ["deld", "rqth"])] == ["deld"]
    assert eligibility.eligible_for(results, ["jeunes"]) == []
    only_qpv = eligibility.assess_all([QPV], Facts(qpv_resident=True), proofs, ON)
    assert only_qpv[0].met and eligibility.eligible_for(only_qpv) == []


def test_r_elig_4_apprenticeship_hours():
    attributed = date(2026, 1, 1)
    count = eligibility.apprenticeship_hours_count
    assert count(eligible=True, hired_on=date(2026, 2, 1), attribution_date=attributed)
    assert not count(eligible=False, hired_on=date(2026, 2, 1), attribution_date=attributed)
    assert not count(eligible=True, hired_on=date(2025, 12, 31), attribution_date=attributed)
    assert count(eligible=True, hired_on=date(2025, 12, 31), attribution_date=attributed, justified_exception=True)
    assert not count(
        eligible=False, hired_on=date(2025, 12, 31), attribution_date=attributed, justified_exception=True
    )


days = st.dates(min_value=date(1950, 1, 1), max_value=date(2040, 12, 31))


@given(birth=days, on=days)
def test_age_is_whole_years_and_grows_on_birthdays(birth, on):
    if on < birth:
        return
    age = eligibility.age_on(birth, on)
    assert birth + relativedelta(years=age) <= on < birth + relativedelta(years=age + 1)


@given(start=days, on=days)
def test_full_months_never_overshoot(start, on):
    months = eligibility.full_months(start, on)
    assert months >= 0
    if on >= start:
        assert start + relativedelta(months=months) <= on < start + relativedelta(months=months + 1)


@given(registered=days, on=days, age=st.integers(min_value=0, max_value=400))
def test_registration_criteria_are_monotonic(registered, on, age):
    """Registering earlier never removes the long-term status; 24 months always include 12."""
    facts = Facts(registration_date=registered)
    proof = attestation(issued=on - timedelta(days=min(age, 92)))
    if assess(DELD, facts, [proof], on).met:
        assert assess(DELD, Facts(registration_date=registered - timedelta(days=30)), [proof], on).met
    detld = Rule("detld", "DETLD", "detld", (FRANCE_TRAVAIL,))
    if assess(detld, facts, [proof], on).met:
        assert assess(DELD, facts, [proof], on).met  # 24 months include 12
