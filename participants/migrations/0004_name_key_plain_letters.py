"""Participants' name keys computed again for the names holding a letter that `name_key` now turns into a plain one
(ı, ł, ø, đ, ð, þ, æ, œ, ß): they were not found when typed in capitals (« AYDIN » for « Aydın »)."""

import unicodedata

from django.db import migrations
from django.db.models import Q

LETTERS = "ıłøđðþæœß"
PLAIN = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ß": "ss"})


def name_key(last_name, first_name):
    """`participants.models.name_key` as of this migration."""
    text = unicodedata.normalize("NFKD", f"{last_name} {first_name}".lower())
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(PLAIN)
    return " ".join(text.replace("-", " ").replace("'", " ").split())


def recompute(apps, schema_editor):
    Participant = apps.get_model("participants", "Participant")
    pattern = f"[{LETTERS}ŁØĐÐÞÆŒ]"  # and their capitals (ı and ß have none of their own)
    found = Participant.objects.filter(Q(last_name__regex=pattern) | Q(first_name__regex=pattern))
    changed = []
    for participant in found.only("pk", "last_name", "first_name", "name_key").iterator(chunk_size=2000):
        key = name_key(participant.last_name, participant.first_name)
        if key != participant.name_key:
            participant.name_key = key
            changed.append(participant)
    Participant.objects.bulk_update(changed, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("participants", "0003_participant_target_trades")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
