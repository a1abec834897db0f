"""Forms of the core app: they validate input; the services decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms

from partnerhub.core.domain.currencies import CURRENCY_CODES, MONTH_NAMES
from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.selectors import program as selectors
from partnerhub.core.services.program import PARTNER_FIELDS

# django-stubs makes these Django classes generic, but they cannot be subscripted at runtime (no __class_getitem__):
# the type arguments are given to mypy only.
if TYPE_CHECKING:
    _MembershipChoiceField = forms.ModelChoiceField[Membership]
    _PartnerModelForm = forms.ModelForm[Partner]
else:
    _MembershipChoiceField = forms.ModelChoiceField
    _PartnerModelForm = forms.ModelForm


class MemberChoiceField(_MembershipChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user} · {obj.get_role_display()}"


class PartnerForm(_PartnerModelForm):
    """Every member choice is limited to this tenant: another tenant's id is a field error, never a link."""

    product_lines = forms.CharField(required=False, help_text="Comma-separated, e.g. Cloud, Security.")

    class Meta:
        model = Partner
        fields = list(PARTNER_FIELDS)
        field_classes = {
            "owner": MemberChoiceField,
            "executive_sponsor": MemberChoiceField,
            "data_steward": MemberChoiceField,
        }

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        members = selectors.membership_list(tenant=tenant).filter(is_active=True)
        cast("forms.ModelChoiceField[Membership]", self.fields["owner"]).queryset = members.filter(
            role__in=(Role.MANAGER, Role.ADMIN)
        )
        cast("forms.ModelChoiceField[Membership]", self.fields["executive_sponsor"]).queryset = members.filter(
            role__in=(Role.EXECUTIVE, Role.ADMIN)
        )
        cast("forms.ModelChoiceField[Membership]", self.fields["data_steward"]).queryset = members.exclude(
            role=Role.PARTNER
        )
        if self.instance.pk:
            self.initial["product_lines"] = ", ".join(self.instance.product_lines)

    def clean_product_lines(self) -> list[str]:
        raw = self.cleaned_data.get("product_lines") or ""
        lines = [part.strip() for part in raw.split(",") if part.strip()]
        return list(dict.fromkeys(lines))

    def validate_unique(self) -> None:
        # The tenant is not a form field; check the per-tenant name uniqueness here with a friendly message.
        name = self.cleaned_data.get("name")
        if name:
            clash = selectors.partner_list(tenant=self.tenant).filter(name__iexact=name)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", "A partner with this name already exists.")


class AuditFilterForm(forms.Form):
    """The audit log's filters: an object or person searched by name, who made the change, the kind of record, what
    was done, and a date range (both ends included). An invalid value drops that filter only and says why."""

    q = forms.CharField(required=False, label="Object", max_length=200)
    person = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=[("", "Anyone")])
    kind = forms.ChoiceField(required=False, label="Kind of record", choices=[("", "Any kind")])
    action = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="What was done",
        choices=[("", "Anything"), (0, "Created"), (1, "Changed"), (2, "Deleted")],
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    SYSTEM = 0  # the "person" of changes no one made by hand (a task, an import)

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(m.user_id, str(m.user)) for m in selectors.membership_list(tenant=tenant)]
        cast(forms.ChoiceField, self.fields["person"]).choices = [
            ("", "Anyone"),
            (self.SYSTEM, "The system (tasks and imports)"),
            *people,
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "Any kind"), *selectors.audited_kinds()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range is before its start.")
        return data

    def to_filters(self) -> selectors.AuditFilters:
        if not self.is_bound:
            return selectors.AuditFilters()
        self.is_valid()
        data = self.cleaned_data
        person = data.get("person")
        return selectors.AuditFilters(
            q=(data.get("q") or "").strip(),
            actor_id=person if person else None,
            system_only=person == self.SYSTEM,
            kind=data.get("kind") or "",
            action=data.get("action"),
            since=data.get("since"),
            until=data.get("until") if "until" not in self.errors else None,
        )


class PartnerFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search by name")
    partner_type = forms.ChoiceField(required=False, label="Type", choices=[("", "Any type"), *Partner.Type.choices])
    tier = forms.ChoiceField(required=False, choices=[("", "Any tier"), *Partner.Tier.choices])
    stage = forms.ChoiceField(required=False, label="Stage", choices=[("", "Any stage"), *Partner.Stage.choices])
    region = forms.ChoiceField(required=False, choices=[("", "Any region"), *Partner.Region.choices])
    market = forms.ChoiceField(required=False, choices=[("", "Any market")])
    product_line = forms.ChoiceField(required=False, label="Product line", choices=[("", "Any product line")])
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, choices=[("", "Any owner")])
    executive_sponsor = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Sponsor", choices=[("", "Any sponsor")]
    )
    data_steward = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Data steward", choices=[("", "Any steward")]
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = list(selectors.membership_list(tenant=tenant).exclude(role=Role.PARTNER))
        people = [(m.pk, str(m.user)) for m in members]
        cast(forms.ChoiceField, self.fields["owner"]).choices = [
            ("", "Any owner"),
            *[(m.pk, str(m.user)) for m in members if m.role in (Role.MANAGER, Role.ADMIN)],
        ]
        cast(forms.ChoiceField, self.fields["executive_sponsor"]).choices = [("", "Any sponsor"), *people]
        cast(forms.ChoiceField, self.fields["data_steward"]).choices = [("", "Any steward"), *people]
        cast(forms.ChoiceField, self.fields["market"]).choices = [
            ("", "Any market"),
            *[(m, m) for m in selectors.partner_markets(tenant=tenant)],
        ]
        cast(forms.ChoiceField, self.fields["product_line"]).choices = [
            ("", "Any product line"),
            *[(p, p) for p in selectors.partner_product_lines(tenant=tenant)],
        ]

    def to_filters(self) -> selectors.PartnerFilters:
        # An invalid value (a stale owner id, say) drops that filter only and shows its error; the rest still apply.
        if not self.is_bound:
            return selectors.PartnerFilters()
        self.is_valid()
        data = self.cleaned_data
        return selectors.PartnerFilters(
            **{k: v for k, v in data.items() if k in selectors.PartnerFilters.__annotations__}
        )


class ReassignForm(forms.Form):
    from_owner = MemberChoiceField(queryset=Membership.objects.none(), label="Leaving manager")
    to_owners = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(), label="New owners", widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managers = selectors.membership_list(tenant=tenant, roles=(Role.MANAGER, Role.ADMIN))
        cast("forms.ModelChoiceField[Membership]", self.fields["from_owner"]).queryset = managers
        cast("forms.ModelChoiceField[Membership]", self.fields["to_owners"]).queryset = managers.filter(is_active=True)


# Least privileged first: the invitation form starts on the partner-user role, and an admin is always a choice made.
ROLES_BY_PRIVILEGE = [(r.value, r.label) for r in (Role.PARTNER, Role.EXECUTIVE, Role.MANAGER, Role.ADMIN)]


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(
        choices=ROLES_BY_PRIVILEGE,
        initial=Role.PARTNER,
        help_text="Admins change every setting and member of the program: choose it only for the people who run it.",
    )
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), required=False, help_text="Required for a partner user."
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Partner]", self.fields["partner"]).queryset = selectors.partner_list(tenant=tenant)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == Role.PARTNER and not data.get("partner"):
            self.add_error("partner", "Choose the partner company this user belongs to.")
        return data


class MembershipForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), required=False)
    is_active = forms.BooleanField(required=False, label="Active")

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Partner]", self.fields["partner"]).queryset = selectors.partner_list(tenant=tenant)


class TenantSignupForm(forms.Form):
    name = forms.CharField(max_length=120, label="Program name")
    slug = forms.SlugField(max_length=60, label="Address", help_text="Letters, digits and dashes: /t/<address>/")


class TenantProgramForm(forms.Form):
    """The program's reporting currency and the first month of its fiscal year."""

    currency = forms.ChoiceField(
        choices=[(code, code) for code in CURRENCY_CODES],
        label="Reporting currency",
        help_text="Amounts are reported in it; an import reads amounts that name no currency in it.",
    )
    fiscal_year_start = forms.TypedChoiceField(
        choices=[(str(n), name) for n, name in enumerate(MONTH_NAMES, start=1)],
        coerce=int,
        label="Fiscal year starts in",
        help_text="Quarters and years of the program's reports count from this month.",
    )


class TenantSecurityForm(forms.Form):
    require_mfa = forms.BooleanField(required=False, label="Require an authenticator app for every member")
