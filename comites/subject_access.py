"""What `comites` adds to the subject access export (`suivi.subject_access`, which never imports this app): the
committee decisions and actions about the person, and their history. Registered in `ComitesConfig.ready`."""

from comites.models import CommitteeDecision
from suivi import subject_access
from suivi.subject_access import as_row as _row
from suivi.subject_access import user_name as _user


def decisions(participant):
    rows = (
        CommitteeDecision.objects.filter(participant=participant)
        .select_related("meeting", "owner_user")
        .order_by("meeting__date", "pk")
    )
    return {
        "Décisions et actions des comités": [
            _row(
                **{
                    "comité": f"{d.meeting.get_kind_display()} du {d.meeting.date:%d/%m/%Y}",
                    "nature": d.get_kind_display(),
                    "libellé": d.text,
                    "responsable": " — ".join(x for x in (_user(d.owner_user), d.owner_name) if x),
                    "échéance": d.due_date,
                    "statut": d.get_status_display(),
                    "soldée le": d.done_at,
                }
            )
            for d in rows
        ]
    }


def register():
    if decisions not in subject_access.SECTIONS:
        subject_access.SECTIONS.append(decisions)
    if (CommitteeDecision, "participant") not in subject_access.RELATED_HISTORY:
        subject_access.RELATED_HISTORY.append((CommitteeDecision, "participant"))
