import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clauses.accounts.access import ScopedQuerySet
from clauses.accounts.enums import (
    ROLES_BY_ORGANISATION_KIND,
    OrganisationKind,
    PrescriberType,
    Region,
    Role,
    StructureType,
)
from clauses.accounts.validators import normalize_siret, validate_siret


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not (extra_fields["is_staff"] and extra_fields["is_superuser"]):
            raise ValueError("Un super-utilisateur doit avoir is_staff et is_superuser.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Logs in with an e-mail address; works through one or several memberships."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    job_title = models.CharField(
        "fonction", max_length=150, blank=True, help_text="Par exemple : chargée de mission clauses sociales."
    )
    phone = models.CharField("téléphone professionnel", max_length=20, blank=True)
    is_active = models.BooleanField(
        "actif", default=True, help_text="Décochez plutôt que de supprimer : l'historique reste lisible."
    )
    is_staff = models.BooleanField("accès à l'administration technique", default=False)
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        # No personal data in __str__ (it ends up in logs and admin history).
        return f"Utilisateur {str(self.public_id)[:8]}"

    def save(self, *args, **kwargs):
        # A login only stamps last_login: not a change of personal data worth a history row.
        if set(kwargs.get("update_fields") or ()) == {"last_login"}:
            self.skip_history_when_saving = True
            try:
                return super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
        return super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.first_name


class OrganisationQuerySet(ScopedQuerySet):
    """Structures see themselves and their partners; prescribers see themselves and their structures.

    A structure changes itself and the partners it registered, not those it merely attached.
    """

    def active(self):
        return self.filter(is_active=True)

    def for_structure(self, structure):
        return self.filter(Q(pk=structure.pk) | Q(pk__in=structure.partners.values("pk")))

    def managed_by_structure(self, structure):
        return self.filter(Q(pk=structure.pk) | Q(registered_by=structure))

    def for_prescriber(self, organisation):
        return self.filter(Q(pk=organisation.pk) | Q(pk__in=organisation.partner_structures.values("pk")))

    def for_committee(self, structure):
        return self.filter(pk=structure.pk)

    def structures(self):
        return self.filter(kind=OrganisationKind.FACILITATION)


class Organisation(models.Model):
    """A structure porteuse (facilitation), a prescriber, a funder or institution, or a network head."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type d'organisation", max_length=20, choices=OrganisationKind.choices)
    structure_type = models.CharField(
        "forme de la structure porteuse", max_length=20, choices=StructureType.choices, blank=True
    )
    prescriber_type = models.CharField(
        "type de prescripteur", max_length=30, choices=PrescriberType.choices, blank=True
    )
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    region = models.CharField(
        "région",
        max_length=2,
        choices=Region.choices,
        blank=True,
        help_text="Pour une tête de réseau, vide = nationale.",
    )
    email = models.EmailField("e-mail de contact", blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    partner_structures = models.ManyToManyField(
        "self",
        verbose_name="structures porteuses partenaires",
        symmetrical=False,
        related_name="partners",
        blank=True,
        limit_choices_to={"kind": OrganisationKind.FACILITATION},
        help_text="Les structures porteuses avec lesquelles cette organisation travaille.",
    )
    registered_by = models.ForeignKey(
        "self",
        verbose_name="enregistrée par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_partners",
        limit_choices_to={"kind": OrganisationKind.FACILITATION},
        help_text="La structure porteuse qui gère la fiche de ce partenaire et ses comptes.",
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords(m2m_fields=[partner_structures])

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["siret"], condition=~Q(siret=""), name="organisation_siret_unique"),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.PRESCRIPTEUR, prescriber_type__gt="")
                | (~Q(kind=OrganisationKind.PRESCRIPTEUR) & Q(prescriber_type="")),
                name="organisation_prescriber_type_iff_prescriber",
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.FACILITATION) | Q(structure_type=""),
                name="organisation_structure_type_only_for_structures",
            ),
        ]

    def __str__(self):
        return self.name

    def clean_fields(self, exclude=None):
        self.siret = normalize_siret(self.siret)  # "412 356 789 00012" is accepted as typed
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == OrganisationKind.PRESCRIPTEUR and not self.prescriber_type:
            errors["prescriber_type"] = "Précisez le type de prescripteur."
        if self.pk and self.kind:
            allowed = ROLES_BY_ORGANISATION_KIND.get(self.kind, ())
            if self.memberships.filter(is_active=True).exclude(role__in=allowed).exists():
                errors["kind"] = (
                    "Des personnes actives ont un rôle que ce type d'organisation ne permet pas : "
                    "désactivez leur accès avant de changer le type."
                )
        if self.kind != OrganisationKind.PRESCRIPTEUR:
            self.prescriber_type = ""
        if self.kind != OrganisationKind.FACILITATION:
            self.structure_type = ""
        if errors:
            raise ValidationError(errors)

    @property
    def is_structure(self):
        return self.kind == OrganisationKind.FACILITATION

    @property
    def type_label(self):
        """The most precise French label of what the organisation is."""
        if self.prescriber_type:
            return self.get_prescriber_type_display()
        if self.structure_type:
            return self.get_structure_type_display()
        return self.get_kind_display()


class MembershipQuerySet(ScopedQuerySet):
    """Who sees whom: a structure its team and its partners' members; a prescriber their colleagues and
    the facilitators of their partner structures; a committee member the facilitators of the structure."""

    structure_lookup = "organisation"

    def active(self):
        return self.filter(is_active=True, user__is_active=True, organisation__is_active=True)

    def staff(self):
        return self.filter(role__in=(Role.FACILITATEUR, Role.ADMIN))

    def for_structure(self, structure):
        return self.filter(Q(organisation=structure) | Q(organisation__in=structure.partners.values("pk")))

    def managed_by_structure(self, structure):
        return self.filter(Q(organisation=structure) | Q(organisation__registered_by=structure))

    def for_prescriber(self, organisation):
        return self.filter(
            Q(organisation=organisation)
            | Q(
                organisation__in=organisation.partner_structures.values("pk"), role__in=(Role.FACILITATEUR, Role.ADMIN)
            )
        )

    def for_committee(self, structure):
        return self.filter(organisation=structure, role__in=(Role.FACILITATEUR, Role.ADMIN))


class Membership(models.Model):
    """A user's role in one organisation. A user may hold several and chooses the active one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    is_active = models.BooleanField("active", default=True)
    invited_by = models.ForeignKey(
        User,
        verbose_name="invité par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rattachement"
        verbose_name_plural = "rattachements"
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_one_per_user_and_organisation"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} — {self.organisation}"

    def clean(self):
        super().clean()
        if self.organisation_id and self.role:
            allowed = ROLES_BY_ORGANISATION_KIND.get(self.organisation.kind, ())
            if self.role not in allowed:
                labels = ", ".join(Role(role).label for role in allowed) or "aucun"
                raise ValidationError(
                    {
                        "role": f"Dans une organisation de type « {self.organisation.get_kind_display()} », "
                        f"les rôles possibles sont : {labels}."
                    }
                )

    @property
    def is_staff_role(self):
        """Facilitators and admins of a structure: they read and write its data."""
        return self.role in (Role.FACILITATEUR, Role.ADMIN)
