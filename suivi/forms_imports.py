from django import forms

from suivi import hours as rules
from suivi.imports import MAX_FILE_SIZE

MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"})


class MonthField(forms.CharField):
    """A month as '2026-10' (the browser's month picker) or '10/2026'."""

    widget = MONTH_INPUT

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        month = rules.parse_month(value)
        if month is None:
            raise forms.ValidationError("Indiquez un mois, par exemple 10/2026.")
        return month


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Tableau de suivi",
        help_text=f"Classeur Excel (.xlsx) ou fichier CSV, {MAX_FILE_SIZE // 1024 // 1024} Mo au plus.",
        error_messages={"required": "Choisissez le fichier à importer.", "empty": "Le fichier est vide."},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    month = MonthField(
        label="Mois des heures",
        required=False,
        help_text="Seulement si le fichier n'a pas de colonne « Mois » : ce mois vaut alors pour toutes les lignes.",
    )


class TemplateMonthForm(forms.Form):
    mois = MonthField(
        label="Mois à pré-remplir",
        required=False,
        help_text="Une ligne par contrat en cours ce mois-là et par marché qu'il sert, heures à compléter.",
    )
