"""Forms of the skills follow-up documents (R-REFERENT): the header and one row per skill."""

from django import forms
from django.utils import timezone

from suivi.enums import SkillArea, SkillLevel
from suivi.forms import DATE_INPUT
from suivi.models import SkillsReview
from suivi.services.skills import MAX_ITEMS

LEVEL_CHOICES = [("", "—"), *SkillLevel.choices]


class SkillsReviewForm(forms.ModelForm):
    class Meta:
        model = SkillsReview
        fields = [
            "review_date",
            "company_person",
            "referent_person",
            "participant_comment",
            "company_comment",
            "referent_comment",
            "next_steps",
        ]
        widgets = {
            "review_date": DATE_INPUT,
            "participant_comment": forms.Textarea(attrs={"rows": 3}),
            "company_comment": forms.Textarea(attrs={"rows": 3}),
            "referent_comment": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"company_person": "Pour l'entreprise (tuteur)", "referent_person": "Pour le référent de parcours"}
        error_messages = {"review_date": {"required": "Indiquez la date de l'entretien."}}

    def clean_review_date(self):
        day = self.cleaned_data["review_date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("La date de l'entretien est dans le futur.")
        return day


class SkillsItemForm(forms.Form):
    """One skill: blank extra rows are ignored; a row ticked « retirer » is removed."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    label = forms.CharField(label="Compétence", max_length=200, required=False)
    area = forms.ChoiceField(label="Domaine", choices=SkillArea.choices, initial=SkillArea.TECHNIQUE)
    participant_level = forms.TypedChoiceField(
        label="Selon le participant", choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
    )
    company_level = forms.TypedChoiceField(
        label="Selon l'entreprise", choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
    )
    referent_level = forms.TypedChoiceField(
        label="Selon le référent", choices=LEVEL_CHOICES, coerce=int, empty_value=None, required=False
    )

    def clean(self):
        data = super().clean()
        deleting = self.cleaned_data.get("DELETE")
        levels = any(data.get(name) is not None for name in ("participant_level", "company_level", "referent_level"))
        if not deleting and not (data.get("label") or "").strip() and (levels or data.get("id")):
            self.add_error("label", "Nommez la compétence, ou cochez « retirer ».")
        return data


class BaseSkillsItemFormSet(forms.BaseFormSet):
    def rows(self):
        """The rows to save, in order, blank new rows left out."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or (not data.get("id") and not (data.get("label") or "").strip()):
                continue
            rows.append({**data, "delete": data.get("DELETE", False)})
        return rows


SkillsItemFormSet = forms.formset_factory(
    SkillsItemForm,
    formset=BaseSkillsItemFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_ITEMS,
    validate_max=True,
    absolute_max=MAX_ITEMS + 10,
)


def items_initial(review):
    return [
        {
            "id": item.pk,
            "label": item.label,
            "area": item.area,
            "participant_level": item.participant_level,
            "company_level": item.company_level,
            "referent_level": item.referent_level,
        }
        for item in review.items.all()
    ]
