"""Demo follow-up, written over the demo's contracts (suivi/demo.py): the entries into the clause handed over by the
référents, site visits, phone calls and on-site meetings, incidents (most closed with what was done, a few alerts
still open — one of suffering at work), the skills documents at the start and end of contracts, the returns to the
référent proposed by the rule and mostly sent and acknowledged, sorties, and the checks at 6, 12, 18 and 24 months
created by the daily task, most done. What a facilitator's to-do list looks like on an ordinary morning.

Idempotent: a structure whose contracts already have follow-up is left as it is. Rows are checked with
`full_clean()` and written in bulk with their history."""

import random
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clauses.accounts.enums import Role
from clauses.accounts.models import Membership
from marches.enums import Trade
from participants.models import Participant
from suivi.enums import (
    DEFAULT_SKILLS,
    SITUATION_CATEGORY,
    CheckStatus,
    FollowUpKind,
    HandoffKind,
    HandoffStatus,
    IncidentType,
    ReviewMoment,
    Severity,
    Situation,
    SkillArea,
)
from suivi.models import (
    FollowUpEvent,
    Handoff,
    Outcome,
    OutcomeCheck,
    SkillsReview,
    SkillsReviewItem,
    WorkContract,
)
from suivi.services import handoffs as handoff_services
from suivi.services import outcomes as outcome_services

SEED = 20261123

VISIT_NOTES = [
    "Visite sur le chantier avec le chef d'équipe : bonne intégration, consignes de sécurité respectées.",
    "Rencontre sur site : la personne est ponctuelle et appréciée de l'équipe ; souhaite progresser en finitions.",
    "Visite de chantier : EPI portés, le tuteur propose de confier la préparation des supports.",
    "Passage sur le chantier : adaptation en cours, quelques retards le lundi liés aux transports.",
]
CALL_NOTES = [
    "Point téléphonique avec le tuteur : travail sérieux, rien à signaler.",
    "Appel à la personne : satisfaite du poste, interroge sur une prolongation du contrat.",
    "Point avec le conducteur de travaux : besoin de renfort sur le lot, la personne pourrait être prolongée.",
    "Échange téléphonique : fatigue en fin de semaine, horaires revus avec l'entreprise.",
]
MEETING_NOTES = [
    "Réunion sur site avec l'entreprise et la personne : bilan à mi-parcours positif, objectifs de fin de contrat.",
    "Réunion tripartite sur site : point sur l'autonomie, proposition d'une formation habilitation électrique.",
]
INCIDENTS = {
    IncidentType.ABSENCES: (
        30,
        "Trois retards et une absence non justifiée en deux semaines, signalés par le tuteur.",
    ),
    IncidentType.CONFLIT: (14, "Tension avec un compagnon de l'équipe sur la répartition des tâches."),
    IncidentType.MOBILITE: (14, "Panne de véhicule : la personne ne peut plus rejoindre le chantier à 7 h."),
    IncidentType.SECURITE: (10, "Oubli répété du port du casque, rappel à l'ordre par le chef de chantier."),
    IncidentType.SANTE: (10, "Arrêt de deux jours après une semaine de manutention, poste à aménager."),
    IncidentType.SITUATION: (10, "Perte du mode de garde des enfants, risque d'abandon du poste."),
    IncidentType.CONDITIONS: (5, "Heures supplémentaires non prévues au contrat demandées chaque vendredi."),
    IncidentType.SOUFFRANCE: (5, "La personne confie être rabaissée chaque jour par son responsable d'équipe."),
}
ACTIONS = {
    IncidentType.ABSENCES: "Entretien avec la personne et le tuteur ; horaires de bus revus, plus de retard depuis.",
    IncidentType.CONFLIT: "Médiation sur le chantier avec le chef d'équipe ; répartition des tâches clarifiée.",
    IncidentType.MOBILITE: "Orientation vers la plateforme mobilité : prêt d'un scooter pendant un mois.",
    IncidentType.SECURITE: "Rappel des règles avec le tuteur, accueil sécurité refait ; rien à signaler depuis.",
    IncidentType.SANTE: "Orientation vers la médecine du travail, poste aménagé quelques jours.",
    IncidentType.SITUATION: "Relais avec le référent : solution de garde trouvée avec le CCAS.",
    IncidentType.CONDITIONS: "Rappel à l'entreprise des termes du contrat ; heures supplémentaires encadrées.",
    IncidentType.SOUFFRANCE: "Rencontre de la direction, changement d'équipe, suivi renforcé chaque semaine.",
}
RETURN_MESSAGES = [
    "Fin de votre contrat : votre conseillère reprend votre accompagnement, elle vous recontactera cette semaine.",
    "Vos heures dans la clause sont terminées. Votre référent vous attend pour préparer la suite de votre parcours.",
    "Nous avons fait le point sur votre contrat ; votre référent reprend le suivi et a reçu votre attestation.",
]
OUTCOMES = [  # situation, weight, employer
    (Situation.CDI, 12, "l'entreprise de la clause"),
    (Situation.CDD_LONG, 10, "l'entreprise de la clause"),
    (Situation.INTERIM_LONG, 8, "une agence d'intérim"),
    (Situation.CDD_COURT, 12, "une autre entreprise du secteur"),
    (Situation.INTERIM_COURT, 10, "une agence d'intérim"),
    (Situation.CONTRAT_AIDE, 8, "une association du territoire"),
    (Situation.FORMATION, 10, "AFPA, titre professionnel"),
    (Situation.AUTRE_SIAE, 6, "une entreprise d'insertion"),
    (Situation.RECHERCHE, 18, ""),
    (Situation.INACTIVITE, 3, ""),
    (Situation.SANS_NOUVELLES, 3, ""),
]
JOB_SKILLS = {
    Trade.GROS_OEUVRE: ["Lecture d'un plan simple", "Préparation du mortier et du béton"],
    Trade.PEINTURE: ["Préparation des supports", "Application des peintures et enduits"],
    Trade.NETTOYAGE: ["Protocoles de nettoyage et dosage des produits", "Utilisation de l'autolaveuse"],
    Trade.ESPACES_VERTS_TRAVAUX: ["Plantation et engazonnement", "Utilisation du petit matériel motorisé"],
    Trade.ENTRETIEN_ESPACES_VERTS: ["Taille et débroussaillage", "Utilisation du petit matériel motorisé"],
    Trade.VRD: ["Pose de bordures et de caniveaux", "Lecture d'un plan de récolement"],
}


def _weighted(rng, items):
    return rng.choices([item for item, *_ in items], weights=[weight for _, weight, *_ in items])[0]


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


class Followup:
    """One structure's follow-up, drawn and written at once."""

    def __init__(self, rng, structure, today, featured=None):
        self.rng, self.structure, self.today = rng, structure, today
        self.featured = featured  # the demo prescriber's organisation: its counsellor has something to see
        staff = Membership.objects.filter(
            organisation=structure, is_active=True, role__in=(Role.FACILITATEUR, Role.ADMIN)
        ).select_related("user")
        self.facilitators = [m.user for m in staff.order_by("role", "user__email")]
        self.counsellors = defaultdict(list)  # organisation pk → prescriber users
        for m in Membership.objects.filter(
            role=Role.PRESCRIPTEUR, is_active=True, organisation__partner_structures=structure
        ).select_related("user").order_by("user__email"):  # fmt: skip
            self.counsellors[m.organisation_id].append(m.user)
        self.contracts = list(
            WorkContract.objects.filter(structure=structure)
            .with_employer_follow_up()
            .select_related("participant__referent_organisation", "company", "employer")
            .prefetch_related("assignments__award__lot")
            .order_by("start_date", "pk")
        )
        self.counts = Counter()

    def facilitator(self):
        return self.rng.choice(self.facilitators)

    def counsellor(self, organisation_id):
        users = self.counsellors.get(organisation_id)
        return self.rng.choice(users) if users else None

    # --- Entries into the clause ------------------------------------------------------------------------------

    def entries(self):
        """The entry handoffs the contracts opened (R-SEQ) were sent by the référent and received: all but the
        newest, still to send or awaiting acknowledgement."""
        handoffs = list(
            Handoff.objects.filter(structure=self.structure, kind=HandoffKind.ENTREE, status=HandoffStatus.A_ENVOYER)
            .select_related("contract")
            .order_by("proposed_on", "pk")
        )
        recent = [h for h in handoffs if h.contract and h.contract.start_date > self.today - timedelta(days=12)]
        awaiting = recent[2:4]
        # The demo prescriber's latest entry awaits their acknowledgement: their home page shows it.
        theirs = [h for h in handoffs if h.from_organisation_id == self.featured and h not in recent[:2]]
        awaiting += theirs[-1:]
        for handoff in handoffs:
            start = handoff.contract.start_date if handoff.contract else handoff.proposed_on
            handoff.proposed_on = min(start - timedelta(days=self.rng.randint(3, 10)), self.today)
            if handoff in recent[:2]:
                continue  # still to send
            handoff.status = HandoffStatus.ENVOYE
            handoff.sent_on = min(handoff.proposed_on + timedelta(days=self.rng.randint(0, 3)), self.today)
            handoff.sent_by = self.facilitator()
            handoff.note = "Dossier transmis : fiche navette, CV et justificatifs. Contrat signé joint."
            if handoff not in awaiting:
                handoff.status = HandoffStatus.ACCUSE
                acknowledged = min(handoff.sent_on + timedelta(days=self.rng.randint(0, 4)), self.today)
                handoff.acknowledged_at = _at(acknowledged, 15)
                handoff.acknowledged_by = self.counsellor(handoff.from_organisation_id) or self.facilitator()
                handoff.acknowledgement_note = "Bien noté : suivi dans l'emploi en lien avec nous."
            handoff.full_clean()
        Handoff.objects.bulk_update(
            handoffs,
            ["proposed_on", "status", "sent_on", "sent_by", "note", "acknowledged_at", "acknowledged_by",
             "acknowledgement_note"],
        )  # fmt: skip
        self.counts["entries"] = len(handoffs)

    # --- Follow-up in employment -----------------------------------------------------------------------------

    def events(self):
        events = []
        open_alerts = 0
        for contract in self.contracts:
            if contract.start_date >= self.today:
                continue
            end = min(contract.end_date or self.today, self.today)
            planned = not contract.employer_follow_up  # R-RESERVED: the employer structure runs the follow-up
            if planned:
                visit = contract.start_date + timedelta(days=self.rng.randint(8, 25))
                if visit <= end:
                    events.append(self._event(contract, FollowUpKind.VISITE, visit, self.rng.choice(VISIT_NOTES)))
                call = contract.start_date + timedelta(days=self.rng.randint(35, 55))
                while call <= end and len([e for e in events if e.contract is contract]) < 4:
                    events.append(self._event(contract, FollowUpKind.TELEPHONE, call, self.rng.choice(CALL_NOTES)))
                    call += timedelta(days=self.rng.randint(45, 70))
                if (end - contract.start_date).days > 90 and self.rng.random() < 0.3:
                    middle = contract.start_date + (end - contract.start_date) / 2
                    events.append(self._event(contract, FollowUpKind.REUNION, middle, self.rng.choice(MEETING_NOTES)))
            if self.rng.random() < 0.12:
                day = contract.start_date + timedelta(
                    days=self.rng.randint(10, max(11, (end - contract.start_date).days))
                )
                day = min(day, end)
                incident_type = _weighted(self.rng, [(t, w) for t, (w, _) in INCIDENTS.items()])
                recent = day > self.today - timedelta(days=12)
                events.append(self._incident(contract, incident_type, day, closed=not recent or open_alerts >= 3))
                open_alerts += recent and open_alerts < 3
        # The morning's urgent case: suffering at work reported two days ago on a running contract.
        running = [c for c in self.contracts if c.is_running_on(self.today) and c.start_date < self.today]
        featured = [c for c in running if c.participant.referent_organisation_id == self.featured]
        if running:
            contract = (featured or running)[len(featured or running) // 2]
            events.append(
                self._incident(contract, IncidentType.SOUFFRANCE, self.today - timedelta(days=2), closed=False)
            )
        for event in events:
            event.full_clean()
        bulk_create_with_history(events, FollowUpEvent, batch_size=500)
        self.counts["events"] = len(events)
        self.counts["alerts"] = sum(1 for e in events if e.is_open_alert)

    def _event(self, contract, kind, day, note):
        by = self.facilitator()
        return FollowUpEvent(contract=contract, kind=kind, date=day, note=note, created_by=by)

    def _incident(self, contract, incident_type, day, closed):
        severity = Severity.URGENTE if incident_type == IncidentType.SOUFFRANCE else self.rng.choice(
            (Severity.FAIBLE, Severity.MOYENNE, Severity.MOYENNE, Severity.GRAVE)
        )  # fmt: skip
        event = FollowUpEvent(
            contract=contract, kind=FollowUpKind.INCIDENT, date=day, incident_type=incident_type, severity=severity,
            note=INCIDENTS[incident_type][1], created_by=self.facilitator(),
        )  # fmt: skip
        if closed:
            event.closed_at = _at(min(day + timedelta(days=self.rng.randint(1, 8)), self.today), 17)
            event.closed_by = self.facilitator()
            event.action_taken = ACTIONS[incident_type]
        return event

    # --- Skills follow-up documents ---------------------------------------------------------------------------

    def skills(self):
        reviews, items = [], []
        for contract in self.contracts:
            trade = next((a.award.lot.trade for a in contract.assignments.all()), None)
            labels = [(area, label) for area, label in DEFAULT_SKILLS]
            labels += [(SkillArea.TECHNIQUE, label) for label in JOB_SKILLS.get(trade, [])]
            start_day = contract.start_date + timedelta(days=self.rng.randint(7, 20))
            if start_day > self.today or self.rng.random() > 0.85:
                continue
            start_levels = [self.rng.choice((1, 2, 2, 3)) for _ in labels]
            reviews.append(self._review(contract, ReviewMoment.DEBUT, start_day, labels, start_levels, items))
            end = contract.end_date
            if end and end <= self.today + timedelta(days=3) and self.rng.random() < 0.75:
                end_levels = [min(4, level + self.rng.choice((0, 1, 1, 2))) for level in start_levels]
                reviews.append(
                    self._review(contract, ReviewMoment.FIN, min(end, self.today), labels, end_levels, items)
                )
        for review in reviews:
            review.full_clean()
        bulk_create_with_history(reviews, SkillsReview, batch_size=500)
        saved = {(r.contract_id, r.moment): r for r in SkillsReview.objects.filter(contract__in=self.contracts)}
        for item in items:
            item.review = saved[(item.review.contract_id, item.review.moment)]
        bulk_create_with_history(items, SkillsReviewItem, batch_size=1000)
        self.counts["reviews"] = len(reviews)

    def _review(self, contract, moment, day, labels, levels, items):
        review = SkillsReview(
            contract=contract, moment=moment, review_date=day, company_person=contract.tutor_name,
            referent_person=contract.participant.referent_name, created_by=self.facilitator(),
            participant_comment="Je me sens à l'aise dans l'équipe." if moment == ReviewMoment.FIN
            else "Je découvre le métier, j'ai envie d'apprendre.",
            company_comment="Progrès nets, autonome sur les tâches courantes." if moment == ReviewMoment.FIN
            else "Motivé, à accompagner sur les gestes techniques.",
            next_steps="Prolongation envisagée ou orientation vers une formation qualifiante."
            if moment == ReviewMoment.FIN else "",
        )  # fmt: skip
        for position, ((area, label), level) in enumerate(zip(labels, levels, strict=True)):
            items.append(SkillsReviewItem(
                review=review, area=area, label=label, position=position, participant_level=level,
                company_level=max(1, level - self.rng.choice((0, 0, 1))), referent_level=level,
            ))  # fmt: skip
        return review

    # --- End of clause: returns, sorties, checks -------------------------------------------------------------

    def returns(self, proposals):
        """R-SEQ, as the daily task proposed them; all but the last fortnight's sent, most acknowledged."""
        ends = {c.pk: c.end_date for c in self.contracts}
        mine = sorted(
            (h for h in proposals if h.structure_id == self.structure.pk),
            key=lambda h: (ends.get(h.contract_id) or self.today, h.pk),
            reverse=True,
        )
        # The demo prescriber's latest return comes among the ones still awaiting their acknowledgement.
        featured = next((h for h in mine if h.to_organisation_id == self.featured), None)
        if featured is not None:
            mine.remove(featured)
            mine.insert(2, featured)
        for rank, handoff in enumerate(mine):
            end = ends.get(handoff.contract_id) or self.today
            handoff.proposed_on = min(end + timedelta(days=1), self.today)
            if rank < 2 or end > self.today - timedelta(days=14):
                continue  # the latest ends: to send, on the to-do list
            handoff.status = HandoffStatus.ENVOYE
            handoff.sent_on = min(end + timedelta(days=self.rng.randint(1, 8)), self.today)
            handoff.sent_by = self.facilitator()
            handoff.participant_message = self.rng.choice(RETURN_MESSAGES)
            handoff.note = "Fin de clause. Attestation d'heures et document de suivi des compétences transmis."
            counsellor = self.counsellor(handoff.to_organisation_id)
            if rank >= 4 and (self.rng.random() < 0.9 or handoff.sent_on < self.today - timedelta(days=30)):
                handoff.status = HandoffStatus.ACCUSE
                acknowledged = min(handoff.sent_on + timedelta(days=self.rng.randint(1, 6)), self.today)
                handoff.acknowledged_at = _at(acknowledged, 9)
                handoff.acknowledged_by = counsellor or self.facilitator()
                handoff.acknowledgement_note = "Bien reçu, rendez-vous fixé avec la personne."
            handoff.full_clean()
        Handoff.objects.bulk_update(
            mine,
            ["proposed_on", "status", "sent_on", "sent_by", "participant_message", "note", "acknowledged_at",
             "acknowledged_by", "acknowledgement_note"],
        )  # fmt: skip
        self.counts["returns"] = len(mine)

    def outcomes(self):
        last_end = {}
        for contract in self.contracts:
            end = contract.end_date
            person = contract.participant_id
            if end is None or contract.end_date > self.today:
                last_end[person] = None  # still in the clause
            elif person not in last_end or (last_end[person] and end > last_end[person][0]):
                last_end[person] = (end, contract)
        outcomes = []
        for person, value in last_end.items():
            if value is None:
                continue
            end, contract = value
            if end > self.today - timedelta(days=7) or self.rng.random() > 0.85:
                continue
            situation = _weighted(self.rng, OUTCOMES)
            employer = dict((s, e) for s, _, e in OUTCOMES)[situation]
            if employer == "l'entreprise de la clause":
                employer = contract.company.name
            outcome = Outcome(participant_id=person, contract=contract, date=end, situation=situation,
                              employer=employer, recorded_by=self.facilitator())  # fmt: skip
            outcome.category = SITUATION_CATEGORY[situation]  # save() sets it; bulk_create does not call save()
            outcome.full_clean(exclude=["participant"])
            outcomes.append(outcome)
        bulk_create_with_history(outcomes, Outcome, batch_size=500)
        self.counts["outcomes"] = len(outcomes)
        return {o.participant_id: o for o in outcomes}

    def checks(self, outcomes):
        """The checks the daily task created, done as a facilitator would have: most past ones, a few left late."""
        checks = list(
            OutcomeCheck.objects.filter(participant__structure=self.structure, status=CheckStatus.A_FAIRE).order_by(
                "due_date", "pk"
            )
        )
        done = []
        for check in checks:
            age = (self.today - check.due_date).days
            if age < 0 or (age < 45 and self.rng.random() < 0.6) or (age >= 45 and self.rng.random() < 0.05):
                continue  # to do, or late
            check.checked_on = min(check.due_date + timedelta(days=self.rng.randint(0, 20)), self.today)
            check.checked_by = self.facilitator()
            if self.rng.random() < 0.1:
                check.status = CheckStatus.INJOIGNABLE
                check.note = "Trois appels et un SMS sans réponse."
            else:
                check.status = CheckStatus.FAIT
                previous = outcomes.get(check.participant_id)
                keep = previous is not None and self.rng.random() < 0.7
                check.situation = previous.situation if keep else _weighted(self.rng, OUTCOMES)
                check.category = SITUATION_CATEGORY[check.situation]
                check.employer = previous.employer if keep else ""
            check.full_clean()
            done.append(check)
        OutcomeCheck.objects.bulk_update(
            done, ["checked_on", "checked_by", "status", "note", "situation", "category", "employer"], batch_size=500
        )
        self.counts["checks"] = len(checks)
        self.counts["checks_done"] = len(done)

    def trades_sought(self):
        """GPEC: the trades people without a current contract look for (their contracts' trades, mostly)."""
        running = WorkContract.objects.running_on(self.today).filter(participant=OuterRef("pk"))
        people = list(
            Participant.objects.filter(structure=self.structure, target_trades=[])
            .exclude(Exists(running))
            .order_by("pk")
        )
        trades_by_person = defaultdict(set)
        for contract in self.contracts:
            for assignment in contract.assignments.all():
                trades_by_person[contract.participant_id].add(assignment.award.lot.trade)
        choices = [Trade.GROS_OEUVRE, Trade.PEINTURE, Trade.NETTOYAGE, Trade.ENTRETIEN_ESPACES_VERTS, Trade.VRD,
                   Trade.PLATRERIE, Trade.ELECTRICITE, Trade.RESTAURATION]  # fmt: skip
        for person in people:
            trades = sorted(trades_by_person.get(person.pk) or {self.rng.choice(choices)})
            if self.rng.random() < 0.3:
                trades = sorted(set(trades) | {self.rng.choice(choices)})
            person.target_trades = trades[:3]
        Participant.objects.bulk_update(people, ["target_trades"], batch_size=500)


def seed(accounts, today=None):
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    demo_prescriber = accounts["users"].get("prescripteur")
    featured = (
        Membership.objects.filter(user=demo_prescriber, role=Role.PRESCRIPTEUR).values_list("organisation", flat=True)
        .first()
    ) if demo_prescriber else None  # fmt: skip
    drawn = []
    for structure in accounts["structures"].values():
        if FollowUpEvent.objects.filter(contract__structure=structure).exists():
            continue
        followup = Followup(rng, structure, today, featured)
        if not followup.facilitators or not followup.contracts:
            continue
        followup.entries()
        followup.events()
        followup.skills()
        drawn.append(followup)
    # The daily tasks, once for everyone (R-SEQ returns, R-OUTCOME checks), then what the facilitators did of them.
    proposals = handoff_services.handoffs_propose_returns(on=today).created if drawn else []
    outcomes = {}
    for followup in drawn:
        followup.returns(proposals)
        outcomes.update(followup.outcomes())
    if drawn:
        outcome_services.outcome_checks_create_due(on=today)
    for followup in drawn:
        followup.checks(outcomes)
        followup.trades_sought()
    return summary(list(accounts["structures"].values()))


def summary(structures):
    """Counts of the demo structures' follow-up, read from the database (the same on every run)."""
    events = FollowUpEvent.objects.filter(contract__structure__in=structures)
    checks = OutcomeCheck.objects.filter(participant__structure__in=structures)
    return {
        "events": events.count(),
        "alerts": events.open_alerts().count(),
        "reviews": SkillsReview.objects.filter(contract__structure__in=structures).count(),
        "handoffs": Handoff.objects.filter(structure__in=structures).count(),
        "outcomes": Outcome.objects.filter(participant__structure__in=structures).count(),
        "checks": checks.count(),
        "checks_done": checks.exclude(status=CheckStatus.A_FAIRE).count(),
    }


def summary_line(counts):
    return (
        f"Suivi dans l'emploi : {counts['events']} suivis dont {counts['alerts']} alertes ouvertes, "
        f"{counts['reviews']} documents de compétences, {counts['handoffs']} passages de relais, "
        f"{counts['outcomes']} sorties, {counts['checks']} points de situation dont {counts['checks_done']} faits."
    )
