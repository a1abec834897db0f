"""A cadence's agenda: ordered sections, each with standard prompts rated 1 to 5 with a comment.

Admins write an agenda as plain text, one line each::

    ## Collaboration health
    - How responsive was the partner to escalations this quarter?

``agenda_parse`` turns that into ``Cadence.agenda`` (``[{"key", "title", "prompts": [{"key", "text"}]}]``) and
``agenda_text`` turns it back. Notes and ratings name their section and prompt by key, so keys are stable: a
section whose title is unchanged, or a prompt whose text is unchanged, keeps the key it had, wherever it moves.
Section keys are unique in the agenda, and so are prompt keys (a rating is unique per review and prompt key).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from django.utils.text import slugify

from reviews.errors import AgendaInvalidError

KEY_MAX: Final = 40  # ReviewNote.section_key, PromptRating.prompt_key
TITLE_MAX: Final = 120
PROMPT_MAX: Final = 300
MAX_SECTIONS: Final = 12
MAX_PROMPTS: Final = 10
SECTION_MARK: Final = "## "
PROMPT_MARKS: Final = ("- ", "* ")

Agenda = list[dict[str, Any]]


# Words a key can do without: "How responsive was the partner to escalations?" is keyed responsive_escalations.
_STOP_WORDS_TEXT: Final = (
    "a an and are as at be both by did do does for from had has have how in into is it its of on or our partner "
    "partners partnership s the their them this that these those to us was we were what when where which who why "
    "will with"
)
STOP_WORDS: Final = frozenset(_STOP_WORDS_TEXT.split())


def _slug_key(text: str, fallback: str) -> str:
    """A short snake_case key from ``text``'s meaningful words, cut at a word boundary to fit ``KEY_MAX``."""
    words = [w for w in slugify(text).split("-") if w]
    words = [w for w in words if w not in STOP_WORDS] or words
    key = ""
    for word in words:
        candidate = f"{key}_{word}" if key else word
        if len(candidate) > KEY_MAX - 3:  # room for a "_2" suffix
            break
        key = candidate
    return key or fallback


def _unique(key: str, taken: set[str]) -> str:
    if key not in taken:
        return key
    n = 2
    while f"{key[: KEY_MAX - 1 - len(str(n))]}_{n}" in taken:
        n += 1
    return f"{key[: KEY_MAX - 1 - len(str(n))]}_{n}"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _known_keys(previous: Agenda | None) -> tuple[dict[str, str], dict[str, str]]:
    """Title -> section key and text -> prompt key of the agenda being edited (compared case-insensitively)."""
    sections: dict[str, str] = {}
    prompts: dict[str, str] = {}
    for section in previous or []:
        sections.setdefault(_clean(str(section.get("title", ""))).casefold(), str(section.get("key", "")))
        for prompt in section.get("prompts", []):
            prompts.setdefault(_clean(str(prompt.get("text", ""))).casefold(), str(prompt.get("key", "")))
    return sections, prompts


def _assign_keys(raw: list[tuple[str, list[str]]], previous: Agenda | None) -> Agenda:
    """Give every section and prompt a key: the previous one when its title or text is unchanged, else a new slug."""
    known_sections, known_prompts = _known_keys(previous)
    section_keys: set[str] = set()
    prompt_keys: set[str] = set()
    # Unchanged items first, so that a new item never takes the key an unchanged one keeps.
    kept_sections = {t.casefold(): known_sections[t.casefold()] for t, _ in raw if known_sections.get(t.casefold())}
    kept_prompts = {
        p.casefold(): known_prompts[p.casefold()] for _, ps in raw for p in ps if known_prompts.get(p.casefold())
    }
    section_keys.update(kept_sections.values())
    prompt_keys.update(kept_prompts.values())
    agenda: Agenda = []
    for s_index, (title, prompts) in enumerate(raw, start=1):
        s_key = kept_sections.get(title.casefold())
        if s_key is None:
            s_key = _unique(_slug_key(title, f"section_{s_index}"), section_keys)
            section_keys.add(s_key)
        items = []
        for p_index, text in enumerate(prompts, start=1):
            p_key = kept_prompts.get(text.casefold())
            if p_key is None:
                p_key = _unique(_slug_key(text, f"{s_key[:30]}_q{p_index}"), prompt_keys)
                prompt_keys.add(p_key)
            items.append({"key": p_key, "text": text})
        agenda.append({"key": s_key, "title": title, "prompts": items})
    return agenda


def _check(raw: list[tuple[str, list[str]]], problems: list[str]) -> None:
    """Add the problems of a whole agenda (sizes, duplicates) to ``problems``."""
    if not raw and not problems:
        problems.append("Add at least one section: a line starting with '## '.")
    if len(raw) > MAX_SECTIONS:
        problems.append(f"Keep to {MAX_SECTIONS} sections at most (there are {len(raw)}).")
    seen_titles: set[str] = set()
    seen_prompts: set[str] = set()
    for title, prompts in raw:
        if title.casefold() in seen_titles:
            problems.append(f"The section “{title}” appears twice.")
        seen_titles.add(title.casefold())
        if len(prompts) > MAX_PROMPTS:
            problems.append(f"“{title}” has {len(prompts)} prompts; keep to {MAX_PROMPTS}.")
        for text in prompts:
            if text.casefold() in seen_prompts:
                problems.append(f"The prompt “{text}” appears twice.")
            seen_prompts.add(text.casefold())


def agenda_parse(text: str, *, previous: Agenda | None = None) -> Agenda:
    """Parse agenda text ('## ' starts a section, '- ' a prompt of it); keep the keys of ``previous`` where unchanged.

    Raises AgendaInvalidError listing every problem, each with its line number where it has one.
    """
    raw: list[tuple[str, list[str]]] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(SECTION_MARK.strip()) and not stripped.startswith("###"):
            title = _clean(stripped[2:])
            if not title:
                problems.append(f"Line {number}: a section needs a title after '## '.")
            elif len(title) > TITLE_MAX:
                problems.append(f"Line {number}: keep a section title to {TITLE_MAX} characters.")
            else:
                raw.append((title, []))
        elif stripped.startswith(PROMPT_MARKS) or stripped in ("-", "*"):
            prompt = _clean(stripped[1:])
            if not raw:
                problems.append(f"Line {number}: a prompt needs a section above it (a line starting with '## ').")
            elif not prompt:
                problems.append(f"Line {number}: a prompt needs its question after '- '.")
            elif len(prompt) > PROMPT_MAX:
                problems.append(f"Line {number}: keep a prompt to {PROMPT_MAX} characters.")
            else:
                raw[-1][1].append(prompt)
        else:
            problems.append(
                f"Line {number}: start a section with '## ' or a prompt with '- ' (found “{stripped[:40]}”)."
            )
    _check(raw, problems)
    if problems:
        raise AgendaInvalidError(problems)
    return _assign_keys(raw, previous)


def agenda_from_data(sections: Iterable[Any], *, previous: Agenda | None = None) -> Agenda:
    """Validate an agenda given as JSON (``[{"title", "prompts": [{"text"} or "text"]}]``) and key it like text.

    Keys sent by the caller are ignored: they follow from titles and texts, as for the text form.
    """
    raw: list[tuple[str, list[str]]] = []
    problems: list[str] = []
    if not isinstance(sections, list):
        raise AgendaInvalidError(["The agenda must be a list of sections."])
    for s_index, section in enumerate(sections, start=1):
        if not isinstance(section, dict) or not isinstance(section.get("title"), str):
            problems.append(f"Section {s_index}: give an object with a “title” and a list of “prompts”.")
            continue
        title = _clean(section["title"])
        if not title or len(title) > TITLE_MAX:
            problems.append(f"Section {s_index}: a title of 1 to {TITLE_MAX} characters is needed.")
            continue
        prompts_in = section.get("prompts", [])
        if not isinstance(prompts_in, list):
            problems.append(f"Section {s_index}: “prompts” must be a list.")
            continue
        prompts: list[str] = []
        for p_index, prompt in enumerate(prompts_in, start=1):
            value = prompt.get("text") if isinstance(prompt, dict) else prompt
            text = _clean(value) if isinstance(value, str) else ""
            if not text or len(text) > PROMPT_MAX:
                problems.append(f"Section {s_index}, prompt {p_index}: a text of 1 to {PROMPT_MAX} characters.")
            else:
                prompts.append(text)
        raw.append((title, prompts))
    _check(raw, problems)
    if problems:
        raise AgendaInvalidError(problems)
    return _assign_keys(raw, previous)


def agenda_text(agenda: Agenda) -> str:
    """The agenda as the text an admin edits (the inverse of ``agenda_parse``)."""
    blocks = []
    for section in agenda:
        lines = [f"{SECTION_MARK}{section['title']}"]
        lines += [f"- {prompt['text']}" for prompt in section.get("prompts", [])]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def prompt_count(agenda: Agenda) -> int:
    return sum(len(section.get("prompts", [])) for section in agenda)


def _agenda(text: str) -> Agenda:
    return agenda_parse(text)


# The default agenda of a quarterly business review: the six sections of the practice, one to three prompts each.
FULL_AGENDA_TEXT: Final = """\
## Performance results
- How did the partner perform against the targets agreed for this period?
- How much of the revenue and pipeline came from joint work rather than the partner alone?
- Which results surprised either side, and why?

## Pipeline health
- How healthy is the pipeline's coverage for the next two quarters?
- How well do opportunities move from stage to stage without stalling?
- How accurate was the partner's last forecast?

## Deal quality
- How disciplined were pricing and discounts on the deals closed?
- How sound were contract terms and renewal risk on the larger deals?

## Joint engagement
- How active was the partner in joint campaigns, webinars and trainings?
- How much did joint activities turn into pipeline?

## Collaboration health
- How responsive was the partner to escalations this quarter?
- How well did both teams share information and plans?
- How responsive were we to the partner's requests?

## Development commitments
- How far did the partner get on last period's commitments?
- Which enablement, certifications or investments does the partner need next?
"""

# A monthly health check: a short look at the signals, one prompt per section.
LIGHT_AGENDA_TEXT: Final = """\
## Performance results
- Is the partner on track for this quarter's targets?

## Pipeline health
- Is new pipeline arriving at the pace the targets need?

## Collaboration health
- Is anything blocked on either side that needs an escalation?
"""

# A biannual deep dive: the full agenda, with the questions a longer session can afford.
DEEP_DIVE_AGENDA_TEXT: Final = (
    FULL_AGENDA_TEXT
    + """
## Strategy and fit
- Does the partnership still fit both sides' strategy for the next year?
- Which segments, regions or products should the partnership add or drop?
"""
)

DEFAULT_AGENDA: Final = _agenda(FULL_AGENDA_TEXT)
LIGHT_AGENDA: Final = _agenda(LIGHT_AGENDA_TEXT)
DEEP_DIVE_AGENDA: Final = _agenda(DEEP_DIVE_AGENDA_TEXT)
