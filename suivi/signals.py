"""Signals `suivi` sends to the apps after it (`comites`), which it never imports."""

from django.dispatch import Signal

# Sent by `suivi.retention.participant_anonymise` inside its transaction, once this app and `participants` have
# blanked the person: the apps after `suivi` blank what they hold about them (`participant`: the locked row, already
# anonymised). A receiver that fails undoes the whole anonymisation.
participant_anonymised = Signal()
