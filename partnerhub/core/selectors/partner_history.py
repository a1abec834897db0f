"""A partner's history as the partner page tells it: one list, newest first, of who changed what and when. Owner
changes (with the reason given) for every member who may see the partner; for those who may read the audit log, the
profile changes it recorded too, in words (``audit_entries_readable``). A bounded number of queries, whatever the
length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.text import capfirst

from partnerhub.core.models import Membership, Partner, Tenant
from partnerhub.core.selectors.audit import audit_entries_readable
from partnerhub.core.selectors.program import audit_entries_for_object, partner_owner_history

HISTORY_LENGTH = 15
# The reasons partner_create and partner_update record: no reason a person gave, so not shown as one.
CREATED_REASON = "Created"
EDITED_REASON = "Edited"
# Owner changes have their own events (with the reason), so the audit's copy of the same change is left out.
_OWNER_LABEL = str(capfirst(Partner._meta.get_field("owner").verbose_name))
# How a partner's own page names what happened to it (the audit log's "Changed partner “Acme”" names the partner).
_AUDIT_VERBS = {0: "Added to the program", 1: "Profile changed", 2: "Deleted"}


@dataclass(frozen=True)
class HistoryEvent:
    when: datetime
    who: str  # a person's name, or "PartnerHub" for what the system did
    what: str  # one sentence
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)
    note: str = ""


def _name(member: Membership | None) -> str:
    return str(member.user) if member is not None else "PartnerHub"


def partner_history(*, tenant: Tenant, partner: Partner, with_audit: bool) -> list[HistoryEvent]:
    """The partner's latest ``HISTORY_LENGTH`` events, newest first; profile changes only ``with_audit``."""
    events = []
    created: HistoryEvent | None = None
    for change in partner_owner_history(tenant=tenant, partner=partner)[:HISTORY_LENGTH]:
        before, after = change.previous_owner, change.new_owner
        note = "" if change.reason == EDITED_REASON else change.reason
        if change.reason == CREATED_REASON:
            note = ""
            what = f"Added to the program, owned by {after.user}" if after else "Added to the program, with no owner"
        elif after is None:
            what = f"{before.user if before else 'Nobody'} is no longer the owner; nobody owns it now"
        elif before is None:
            what = f"{after.user} became the owner"
        else:
            what = f"Owner changed from {before.user} to {after.user}"
        event = HistoryEvent(change.created_at, _name(change.changed_by), what, note=note)
        if change.reason == CREATED_REASON:
            created = event
        events.append(event)
    if with_audit:
        entries = audit_entries_for_object(tenant=tenant, obj=partner)[:HISTORY_LENGTH]
        for readable in audit_entries_readable(tenant=tenant, entries=entries):
            lines = [(line.field, line.before, line.after) for line in readable.lines if line.field != _OWNER_LABEL]
            if readable.lines and not lines and not readable.note:
                continue  # an owner change alone: told above, with its reason
            entry = readable.entry
            if readable.is_create and created is not None:
                # One event for the creation: the owner change's sentence, with the values the audit recorded.
                events[events.index(created)] = HistoryEvent(created.when, created.who, created.what, lines)
                continue
            who = str(entry.actor) if entry.actor is not None else (entry.actor_email or "PartnerHub")
            what = _AUDIT_VERBS.get(entry.action, readable.summary)
            events.append(HistoryEvent(entry.timestamp, who, what, lines, readable.note))
    events.sort(key=lambda event: event.when, reverse=True)
    return events[:HISTORY_LENGTH]
