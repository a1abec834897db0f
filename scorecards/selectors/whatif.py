"""What-if: the whole portfolio re-scored under a draft template version, in memory, before it is published.

``version_whatif`` takes the latest month with snapshots, reads that month's inputs once (the refresh's own reads,
``snapshot_inputs_read``) and scores them twice with the engine: as they stand, and with the draft put in force for
the month, exactly as publishing it with an effective date in that month would (the engine resolves each partner's
segment template, else the default one, so the draft reaches the partners its template serves). Nothing is written.

Both sides are computed from the same data, so every difference is the template change alone; when the snapshots
are up to date, the "now" side equals the stored scores.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from partnerhub.core.domain.periods import month_number, month_start
from partnerhub.core.errors import InvalidStateError
from partnerhub.core.models import Partner, Tenant
from partnerhub.core.services.program import ensure_same_tenant
from scorecards.domain.scoring import NULL, RAG_NAMES, SCALE, ScoringInput, ScoringResult, score_snapshots
from scorecards.models import ScorecardSnapshot, TemplateVersion
from scorecards.selectors.snapshot_inputs import snapshot_inputs_read
from scorecards.selectors.snapshots import latest_period

RAGS = ("green", "amber", "red", "")  # "" = no score (insufficient data)
RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red", "": "No score"}
SORTS = ("change", "new", "old", "name")


@dataclass(frozen=True)
class WhatIfRow:
    """One partner: its score, RAG and rank in the portfolio now and under the draft."""

    partner_id: int
    name: str
    partner_type: str
    stage: str
    tier: str
    affected: bool  # the draft applies to this partner
    old_score: float | None
    new_score: float | None
    old_rag: str
    new_rag: str
    old_rank: int | None
    new_rank: int | None

    @property
    def change(self) -> float | None:
        if self.old_score is None or self.new_score is None:
            return None
        return round(self.new_score - self.old_score, 4)

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost (negative)."""
        if self.old_rank is None or self.new_rank is None:
            return None
        return self.old_rank - self.new_rank

    @property
    def rag_changed(self) -> bool:
        return self.old_rag != self.new_rag


@dataclass(frozen=True)
class RagMove:
    old: str
    new: str
    count: int

    @property
    def label(self) -> str:
        return f"{RAG_LABELS[self.old]} → {RAG_LABELS[self.new]}"

    @property
    def worse(self) -> bool:
        return RAGS.index(self.new) > RAGS.index(self.old)


@dataclass
class WhatIf:
    """The what-if of one draft for one month: per-partner rows and the totals."""

    version: TemplateVersion
    month: date | None
    rows: list[WhatIfRow] = field(default_factory=list)
    seconds: float = 0.0
    weight_total: float = 0.0  # the draft's weights (publishing needs exactly 100)
    untargeted: int = 0  # items of the draft with no default target (publishing needs one each)

    @property
    def affected(self) -> int:
        return sum(1 for r in self.rows if r.affected)

    @property
    def moves(self) -> list[RagMove]:
        """Partners whose RAG changes, by (now, under the draft), largest groups first."""
        counts = Counter((r.old_rag, r.new_rag) for r in self.rows if r.rag_changed)
        return [RagMove(old, new, n) for (old, new), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    @property
    def matrix(self) -> list[tuple[str, list[int], int]]:
        """Rows: RAG now; columns: RAG under the draft (``RAGS`` order); with row totals."""
        counts = Counter((r.old_rag, r.new_rag) for r in self.rows)
        out = []
        for old in RAGS:
            cells = [counts[(old, new)] for new in RAGS]
            out.append((RAG_LABELS[old], cells, sum(cells)))
        return out

    @property
    def column_totals(self) -> list[int]:
        return [sum(1 for r in self.rows if r.new_rag == new) for new in RAGS]

    @property
    def direction(self) -> dict[str, int]:
        """Partners whose score goes up, down or stays, and those who gain or lose a score."""
        out = {"up": 0, "down": 0, "unchanged": 0, "gains_score": 0, "loses_score": 0}
        for r in self.rows:
            if r.change is not None:
                out["up" if r.change > 0 else "down" if r.change < 0 else "unchanged"] += 1
            elif r.new_score is not None:
                out["gains_score"] += 1
            elif r.old_score is not None:
                out["loses_score"] += 1
        return out

    def sorted_rows(self, sort: str) -> list[WhatIfRow]:
        """``change``: largest move first (a score gained or lost counts as the largest); ``new``/``old``: by that
        rank; ``name``."""
        if sort == "name":
            return sorted(self.rows, key=lambda r: (r.name, r.partner_id))
        if sort in ("new", "old"):
            rank = "new_rank" if sort == "new" else "old_rank"
            return sorted(self.rows, key=lambda r: (getattr(r, rank) is None, getattr(r, rank) or 0, r.name))

        def size(r: WhatIfRow) -> float:
            if r.change is not None:
                return abs(r.change)
            return 1000.0 if (r.old_score is None) != (r.new_score is None) else -1.0

        return sorted(self.rows, key=lambda r: (-size(r), not r.rag_changed, r.name, r.partner_id))


def version_whatif(*, tenant: Tenant, version: TemplateVersion) -> WhatIf:
    """Re-score ``tenant``'s latest month with snapshots under the draft ``version``, in memory; write nothing.

    Reads the inputs once (a fixed number of statements, whatever the number of partners) and scores them twice.
    Raises ``InvalidStateError`` for a version that is not a draft. An empty ``WhatIf`` (``month`` None) when the
    program has no snapshots yet.
    """
    ensure_same_tenant(tenant, version)  # callers fetch the version with version_get; never trust it blindly
    if version.status != TemplateVersion.Status.DRAFT:
        raise InvalidStateError(f"Version {version.number} is published already: a what-if compares a draft.")
    started = time.perf_counter()
    latest = latest_period(tenant=tenant, period=ScorecardSnapshot.Period.MONTH)
    result = WhatIf(version=version, month=latest)
    if latest is None:
        return result
    month = month_number(latest)
    data = snapshot_inputs_read(tenant=tenant, month=month)
    result.weight_total, result.untargeted = _draft_checks(data, version.pk)
    now = _month_scores(score_snapshots(data, complete=False), month)
    draft = _month_scores(score_snapshots(_draft_in_force(data, version.pk, latest), complete=False), month)
    ids = np.union1d(now["partner_id"], draft["partner_id"])
    old_score, old_rag, old_rank, _ = _aligned(now, ids)
    new_score, new_rag, new_rank, new_version = _aligned(draft, ids)
    partners = {  # the refresh's own partner read: every partner scored is in it
        int(pid): (name, kind, stage, tier)
        for pid, name, kind, stage, tier in data.partners[["id", "name", "partner_type", "stage", "tier"]].itertuples(
            index=False, name=None
        )
    }
    kinds, stages, tiers = dict(Partner.Type.choices), dict(Partner.Stage.choices), dict(Partner.Tier.choices)
    for i, pid in enumerate(ids.tolist()):
        name, kind, stage, tier = partners[pid]
        result.rows.append(
            WhatIfRow(
                partner_id=pid,
                name=name,
                partner_type=str(kinds.get(kind, kind)),
                stage=str(stages.get(stage, stage)),
                tier=str(tiers.get(tier, tier)),
                affected=bool(new_version[i] == version.pk),
                old_score=_float(old_score[i]),
                new_score=_float(new_score[i]),
                old_rag=str(old_rag[i]),
                new_rag=str(new_rag[i]),
                old_rank=_int(old_rank[i]),
                new_rank=_int(new_rank[i]),
            )
        )
    result.seconds = time.perf_counter() - started
    return result


def _draft_in_force(data: ScoringInput, version_id: int, month: date) -> ScoringInput:
    """The inputs with the draft published, effective on the month's last day: it is then the latest version in
    effect for the month (on a tie, the highest number wins, and a draft is its template's newest version)."""
    versions = data.versions.copy()
    draft = versions["id"] == version_id
    last_day = month_start(month_number(month) + 1) - timedelta(days=1)
    versions.loc[draft, "status"] = TemplateVersion.Status.ACTIVE.value
    versions.loc[draft, "effective_from"] = last_day
    return replace(data, versions=versions)


def _draft_checks(data: ScoringInput, version_id: int) -> tuple[float, int]:
    """The draft's total weight, and how many of its items have no default target."""
    items = data.items[data.items["version_id"] == version_id]
    targets = data.targets
    defaults = set(targets.loc[(targets["tier"] == "") & (targets["stage"] == ""), "item_id"].astype(int))
    return round(float(items["weight"].sum()), 2), sum(1 for i in items["id"].astype(int) if i not in defaults)


def _month_scores(result: ScoringResult, month: int) -> dict[str, npt.NDArray[np.int64]]:
    """The month snapshots of ``month``: partner, fixed-point score, RAG code, version; sorted by partner."""
    chosen = np.flatnonzero(~result.is_quarter & (result.period_start == month))
    order = chosen[np.argsort(result.partner_id[chosen], kind="stable")]
    return {
        "partner_id": result.partner_id[order],
        "score": result.score[order],
        "rag": result.rag[order].astype(np.int64),
        "version_id": result.version_id[order],
    }


def _aligned(
    scores: dict[str, npt.NDArray[np.int64]], ids: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Score, RAG name, rank in the portfolio (1 = best; ties share a rank) and version, for each of ``ids``."""
    score = np.full(len(ids), NULL, dtype=np.int64)
    rag = np.full(len(ids), "", dtype=object)
    version = np.full(len(ids), -1, dtype=np.int64)
    at = np.searchsorted(ids, scores["partner_id"])
    score[at] = scores["score"]
    rag[at] = np.asarray(RAG_NAMES, dtype=object)[scores["rag"]]
    version[at] = scores["version_id"]
    scored = np.sort(score[score != NULL])
    rank = np.where(score != NULL, len(scored) - np.searchsorted(scored, score, side="right") + 1, NULL)
    return score, rag, rank, version


def _float(value: int) -> float | None:
    return None if value == NULL else int(value) / SCALE


def _int(value: int) -> int | None:
    return None if value == NULL else int(value)
