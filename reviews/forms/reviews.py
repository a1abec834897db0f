"""Forms of the review pages: they shape input; the rules (state machine, owners, due dates) live in the services."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone

from partnerhub.core.models import Membership, Partner, Role, Tenant
from partnerhub.core.selectors.program import PartnerFilters, partner_list
from reviews.models import ActionItem, Attendee, Cadence, Review, Visibility
from reviews.selectors.cadences import cadence_list
from reviews.selectors.reviews import ReviewFilters, agenda_sections, assignable_members, moderator_choices

RATING_CHOICES = [(n, f"{n}: {label}") for n, label in enumerate(("weak", "below par", "fair", "good", "excellent"), 1)]
WHEN_CHOICES = [("", "Any time"), ("upcoming", "Upcoming"), ("past", "Past")]


# django-stubs makes this Django class generic, but it cannot be subscripted at runtime (no __class_getitem__):
# the type arguments are given to mypy only.
if TYPE_CHECKING:
    _MembershipChoiceField = forms.ModelChoiceField[Membership]
else:
    _MembershipChoiceField = forms.ModelChoiceField


class MemberChoiceField(_MembershipChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        if obj.partner_id is not None and obj.partner is not None:
            return f"{obj.user} ({obj.partner.name})"
        return f"{obj.user} ({obj.get_role_display()})"


class ReviewFilterForm(forms.Form):
    partner = forms.CharField(required=False, label="Partner", widget=forms.TextInput(attrs={"type": "search"}))
    state = forms.ChoiceField(required=False, choices=[("", "Any state"), *Review.State.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Cadence.Kind.choices])
    moderator = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, empty_label="Anyone")
    owner = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, empty_label="Anyone", label="Partner owner"
    )
    # With no filter chosen the list opens on what is coming up, soonest first.
    when = forms.ChoiceField(required=False, choices=WHEN_CHOICES, initial="upcoming")
    attention = forms.BooleanField(
        required=False,
        label="Needs attention only",
        help_text="Reviews still ahead whose partner is red or declining, has overdue actions or is late with its "
        "input, whose pre-read is not ready when it should be, or whose date passed without being marked as held.",
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = moderator_choices(tenant=tenant)
        cast("forms.ModelChoiceField[Membership]", self.fields["moderator"]).queryset = people
        cast("forms.ModelChoiceField[Membership]", self.fields["owner"]).queryset = people

    @property
    def wants_attention(self) -> bool:
        return self.is_bound and self.is_valid() and bool(self.cleaned_data["attention"])

    def to_filters(self) -> ReviewFilters:
        if not self.is_bound:
            return ReviewFilters(when="upcoming")
        if not self.is_valid():
            return ReviewFilters()
        data = self.cleaned_data
        return ReviewFilters(
            state=data["state"],
            kind=data["kind"],
            moderator=data["moderator"].pk if data["moderator"] else None,
            owner=data["owner"].pk if data["owner"] else None,
            partner=data["partner"].strip(),
            when=data["when"],
        )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Review.State.choices)
    reason = forms.CharField(required=False, max_length=300)


class AttendeeForm(forms.Form):
    membership = MemberChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label="Member",
        empty_label="— a contact without an account —",
    )
    name = forms.CharField(required=False, max_length=200, label="Or a contact's name")
    email = forms.EmailField(required=False, label="Contact's email")
    function = forms.ChoiceField(choices=Attendee.Function.choices, initial=Attendee.Function.OTHER)
    side = forms.ChoiceField(
        choices=Attendee.Side.choices, initial=Attendee.Side.PARTNER, label="Contact's side", required=False
    )

    def __init__(self, *args: Any, tenant: Tenant, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Membership]", self.fields["membership"]).queryset = assignable_members(
            tenant=tenant, partner=review.partner_id
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("membership") and not (data.get("name") or "").strip() and not self.errors:
            raise forms.ValidationError("Choose a member, or give the contact's name.")
        return data


class NoteForm(forms.Form):
    section_key = forms.ChoiceField(label="Section")
    body = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}))
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.INTERNAL, widget=forms.RadioSelect)

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["section_key"]).choices = [
            (key, title) for key, title, _ in agenda_sections(review)
        ]


class RatingForm(forms.Form):
    prompt_key = forms.ChoiceField(widget=forms.HiddenInput)
    rating = forms.TypedChoiceField(choices=RATING_CHOICES, coerce=int, label="Rating")
    comment = forms.CharField(required=False, label="Comment", widget=forms.Textarea(attrs={"rows": 2}))
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.INTERNAL)

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["prompt_key"]).choices = [
            (pk, text) for _, _, prompts in agenda_sections(review) for pk, text in prompts
        ]


class DecisionForm(forms.Form):
    text = forms.CharField(label="Decision", widget=forms.Textarea(attrs={"rows": 2}))
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.SHARED)


class ActionForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    owner = MemberChoiceField(queryset=Membership.objects.none(), empty_label="Choose an owner")
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.SHARED)

    def __init__(self, *args: Any, tenant: Tenant, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Membership]", self.fields["owner"]).queryset = assignable_members(
            tenant=tenant, partner=review.partner_id
        )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)


class ScheduleForm(forms.Form):
    """A review scheduled by hand: the service checks the rules (ownership, the date, one review per cycle)."""

    partner = forms.ModelChoiceField(queryset=Partner.objects.none(), empty_label="Choose a partner")
    cadence = forms.ModelChoiceField(
        queryset=Cadence.objects.none(),
        empty_label="Choose a cadence",
        help_text="The review is filed under this cadence's cycle (month, quarter or half-year) containing its date.",
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}), initial="09:00", help_text="In UTC, like every review time."
    )
    moderator = MemberChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        empty_label="The partner's owner manager",
    )
    depth = forms.ChoiceField(choices=Review.Depth.choices, initial=Review.Depth.DETAILED)
    reason = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this review is needed, e.g. a declining trend to look into. Shown on the review.",
    )

    def __init__(self, *args: Any, tenant: Tenant, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A manager schedules reviews of their own partners only; an admin, of any partner.
        mine = PartnerFilters(owner=actor.pk) if actor.role == Role.MANAGER else None
        cast("forms.ModelChoiceField[Partner]", self.fields["partner"]).queryset = partner_list(
            tenant=tenant, filters=mine
        )
        cast("forms.ModelChoiceField[Cadence]", self.fields["cadence"]).queryset = cadence_list(
            tenant=tenant, active=True
        )
        cast("forms.ModelChoiceField[Membership]", self.fields["moderator"]).queryset = moderator_choices(
            tenant=tenant
        ).filter(is_active=True)

    def scheduled_for(self) -> datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["date"], data["time"]))
