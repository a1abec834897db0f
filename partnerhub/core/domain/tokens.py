"""Secret tokens in links (invitations, calendar feeds): only their digest is stored, so a database leak opens none."""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    """The digest stored in place of a link's token, and looked up when the link is used."""
    return hashlib.sha256(token.encode()).hexdigest()
