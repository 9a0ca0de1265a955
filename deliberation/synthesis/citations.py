"""A synthesis's text read back: its sections (level-2 headings), its citations (links to proposals, comments
and polls), the check that each citation points to a public source of the consultation, and its HTML.

Links a citation is read from (relative, or absolute with the site's BASE_URL):
- `/proposals/<id>`: a proposal (any other fragment, e.g. `#comments`, still cites the proposal);
- `/proposals/<id>#comment-<id>`: a comment of that proposal;
- `/assemblies/polls/<id>/verify`: a poll.
Other links (the consultation page, filtered lists, other sites) are not citations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import nh3
from flask import current_app, has_app_context
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from sqlalchemy import select

from deliberation.core.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, strip_accents
from deliberation.extensions import db

ANCHOR_MAX_LENGTH = 80
SECTION_TITLE_MAX_LENGTH = 200

PROPOSAL = "proposal"
COMMENT = "comment"
POLL = "poll"

_PROPOSAL_PATH = re.compile(r"/proposals/(\d{1,18})/?")
_POLL_PATH = re.compile(r"/assemblies/polls/(\d{1,18})/verify/?")
_COMMENT_FRAGMENT = re.compile(r"comment-(\d{1,18})")

# The same parser as user text (core.text): CommonMark, raw HTML escaped, no images.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


@dataclass(frozen=True)
class Section:
    """A level-2 heading: its place (from 0), its anchor (unique in the text) and its title as plain text."""

    position: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Citation:
    """A link to a source; `section_anchor` is None before the first level-2 heading."""

    target_type: str  # "proposal", "comment" or "poll" (the values of models.CitationTargetType)
    target_id: int
    section_anchor: str | None
    href: str = ""
    # For a comment: the proposal its link names (/proposals/<proposal_id>#comment-<id>).
    linked_proposal_id: int | None = None


@dataclass(frozen=True)
class CitationProblem:
    """A citation that may not stay in the text: `code` is not_found, not_public, other_consultation or
    wrong_proposal; `message` is translated."""

    href: str
    target_type: str
    target_id: int
    code: str
    message: str

    @property
    def link(self) -> str:
        return self.href


# Sections

def slugify(title: str) -> str:
    """The anchor of a heading: accent-free lower-case words joined by '-' ("Cadre de vie" → "cadre-de-vie")."""
    slug = re.sub(r"[^a-z0-9]+", "-", strip_accents(title).lower()).strip("-")
    return slug[:ANCHOR_MAX_LENGTH].rstrip("-") or "section"


def _plain(inline) -> str:
    """The text of an inline token as a reader sees it (no Markdown marks)."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _walk(tokens) -> Iterable[tuple[str | None, object, object | None]]:
    """(anchor of the current section, token, the section's Section when the token opens one)."""
    used: set[str] = set()
    anchor = None
    position = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            title = _plain(tokens[index + 1])[:SECTION_TITLE_MAX_LENGTH]
            base = slugify(title)
            anchor, number = base, 1
            while anchor in used:
                number += 1
                anchor = f"{base}-{number}"
            used.add(anchor)
            yield anchor, token, Section(position=position, anchor=anchor, title=title or anchor)
            position += 1
        else:
            yield anchor, token, None


def sections_of(markdown: str) -> list[Section]:
    """The level-2 headings of the text, in order; anchors unique (-2, -3… for repeated titles)."""
    tokens = _markdown.parse(markdown or "")
    return [section for _anchor, _token, section in _walk(tokens) if section is not None]


def cited_in_section_titles(markdown: str) -> list[str]:
    """The citation links written in a section's title: not allowed, as a title is what officials answer and
    what the table of contents shows, where a quote of a contribution hidden later could not be taken back."""
    tokens = _markdown.parse(markdown or "")
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            found += [str(child.attrGet("href") or "") for child in tokens[index + 1].children or []
                      if child.type == "link_open" and parse_link(str(child.attrGet("href") or "")) is not None]
    return list(dict.fromkeys(found))


# Citations

def _base_url() -> str:
    return (current_app.config.get("BASE_URL") or "").rstrip("/") if has_app_context() else ""


def parse_link(href: str) -> tuple[str, int, int | None] | None:
    """(target type, target id, the proposal named in a comment's link) for a citation link, else None."""
    href = (href or "").strip()
    base = _base_url()
    if base and href.lower().startswith(base.lower() + "/"):
        href = href[len(base):]
    if not href.startswith("/") or href.startswith("//"):
        return None
    parts = urlsplit(href)
    match = _PROPOSAL_PATH.fullmatch(parts.path)
    if match:
        proposal_id = int(match.group(1))
        comment = _COMMENT_FRAGMENT.fullmatch(parts.fragment or "")
        if comment:
            return COMMENT, int(comment.group(1)), proposal_id
        return PROPOSAL, proposal_id, None
    match = _POLL_PATH.fullmatch(parts.path)
    if match:
        return POLL, int(match.group(1)), None
    return None


def find_citations(markdown: str, *, unique: bool = True) -> list[Citation]:
    """Every link of the text to a proposal, comment or poll (code spans and blocks are not links), in order
    of appearance: once per section and target (as SynthesisCitation stores them), or once per distinct link
    with unique=False (what check_citations reads from a text, so that no differently written link escapes)."""
    tokens = _markdown.parse(markdown or "")
    found: list[Citation] = []
    seen: set[tuple] = set()
    for anchor, token, _section in _walk(tokens):
        if token.type != "inline":
            continue
        for child in token.children or []:
            if child.type != "link_open":
                continue
            href = str(child.attrGet("href") or "")
            parsed = parse_link(href)
            if parsed is None:
                continue
            target_type, target_id, linked_proposal = parsed
            key = (anchor, target_type, target_id) if unique else (anchor, target_type, target_id, href)
            if key in seen:
                continue
            seen.add(key)
            found.append(Citation(target_type=target_type, target_id=target_id, section_anchor=anchor,
                                  href=href, linked_proposal_id=linked_proposal))
    return found


def _ids(citations: Iterable[Citation], target_type: str) -> set[int]:
    return {citation.target_id for citation in citations if citation.target_type == target_type}


def _lookup(citations: list[Citation]) -> tuple[dict, dict, dict]:
    """The cited rows, one query per target type: proposals {id: (consultation_id, status)}, comments
    {id: (proposal_id, status, proposal's consultation_id, proposal's status)}, polls {id: (state,
    consultation_id)}."""
    from deliberation.assemblies.models import Assembly, Poll
    from deliberation.proposals.models import Comment, Proposal

    proposals, comments, polls = {}, {}, {}
    wanted = _ids(citations, PROPOSAL)
    if wanted:
        rows = db.session.execute(select(Proposal.id, Proposal.consultation_id, Proposal.status)
                                  .where(Proposal.id.in_(wanted)))
        proposals = {row.id: (row.consultation_id, row.status) for row in rows}
    wanted = _ids(citations, COMMENT)
    if wanted:
        rows = db.session.execute(
            select(Comment.id, Comment.proposal_id, Comment.status, Proposal.consultation_id, Proposal.status)
            .join(Proposal, Proposal.id == Comment.proposal_id).where(Comment.id.in_(wanted)))
        comments = {row[0]: tuple(row[1:]) for row in rows}
    wanted = _ids(citations, POLL)
    if wanted:
        rows = db.session.execute(select(Poll.id, Poll.state, Assembly.consultation_id)
                                  .join(Assembly, Assembly.id == Poll.assembly_id).where(Poll.id.in_(wanted)))
        polls = {row.id: (row.state, row.consultation_id) for row in rows}
    return proposals, comments, polls


_MESSAGES = {
    "not_found": lambda: _("This link cites a source that does not exist."),
    "not_public": lambda: _("This link cites a source that is not public (hidden, withdrawn, merged or not "
                            "yet published): cite only public contributions."),
    "other_consultation": lambda: _("This link cites a source of another consultation."),
    "wrong_proposal": lambda: _("This comment belongs to another proposal than the one its link names."),
}


def check_citations(consultation, citations: Iterable[Citation] | str) -> list[CitationProblem]:
    """The citations that may not stay: unknown, not public, of another consultation (one query per type).
    Give the Markdown text itself to check every link of it (find_citations(text, unique=False))."""
    from deliberation.assemblies.models import PollState
    from deliberation.proposals.models import PUBLIC_STATUSES, CommentStatus

    citations = find_citations(citations, unique=False) if isinstance(citations, str) else list(citations)
    proposals, comments, polls = _lookup(citations)
    problems: list[CitationProblem] = []
    reported: set[tuple] = set()
    for citation in citations:
        code = None
        if citation.target_type == PROPOSAL:
            row = proposals.get(citation.target_id)
            if row is None:
                code = "not_found"
            elif row[0] != consultation.id:
                code = "other_consultation"
            elif row[1] not in PUBLIC_STATUSES:
                code = "not_public"
        elif citation.target_type == COMMENT:
            row = comments.get(citation.target_id)
            if row is None:
                code = "not_found"
            elif row[2] != consultation.id:
                code = "other_consultation"
            elif row[1] != CommentStatus.PUBLISHED or row[3] not in PUBLIC_STATUSES:
                code = "not_public"
            elif citation.linked_proposal_id is not None and citation.linked_proposal_id != row[0]:
                code = "wrong_proposal"
        elif citation.target_type == POLL:
            row = polls.get(citation.target_id)
            if row is None:
                code = "not_found"
            elif row[1] != consultation.id:
                code = "other_consultation"
            elif row[0] == PollState.DRAFT:
                code = "not_public"
        key = (citation.href, citation.target_type, citation.target_id)
        if code is not None and key not in reported:
            reported.add(key)
            problems.append(CitationProblem(href=citation.href, target_type=citation.target_type,
                                            target_id=citation.target_id, code=code,
                                            message=_MESSAGES[code]()))
    return problems


def citation_proposal_ids(citations: Iterable[Citation]) -> list[int | None]:
    """For each citation, the proposal it concerns (SynthesisCitation.proposal_id): the proposal itself, a
    comment's proposal, None for a poll or when that proposal or comment does not exist (two queries at most,
    whatever the number of citations)."""
    from deliberation.proposals.models import Comment, Proposal

    citations = list(citations)
    owners: dict[int, int] = {}
    wanted = _ids(citations, COMMENT)
    if wanted:
        owners = {row[0]: row[1] for row in db.session.execute(
            select(Comment.id, Comment.proposal_id).where(Comment.id.in_(wanted)))}
    cited = _ids(citations, PROPOSAL)
    existing = set(db.session.scalars(select(Proposal.id).where(Proposal.id.in_(cited)))) if cited else set()
    result: list[int | None] = []
    for citation in citations:
        if citation.target_type == PROPOSAL:
            result.append(citation.target_id if citation.target_id in existing else None)
        elif citation.target_type == COMMENT:
            result.append(owners.get(citation.target_id))
        else:
            result.append(None)
    return result


# HTML

_TAGS = ALLOWED_TAGS | {"h2"}
_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, "h2": {"id"}}


def render_synthesis(markdown: str) -> str:
    """Safe HTML of a synthesis: level-2 headings keep their level with id="<anchor>" (as sections_of names
    them), a level-1 heading becomes h2 too (the page has its own h1), h3 stays, h4–h6 become h4; nh3 keeps
    only the allow-list of user text plus those ids."""
    tokens = _markdown.parse(markdown or "")
    for _anchor, token, section in _walk(tokens):
        if section is not None:
            token.attrSet("id", section.anchor)
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    html = re.sub(r"<(/?)h[56]>", r"<\1h4>", html)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )


# Sources that stopped being public

# What may open a source line before its text: indentation, heading marks, quote marks, list markers.
_LINE_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|(?:[-*+]|\d{1,9}[.)])\s+)*")


# A bold run (`**words**`): the drafting's key words of a group.
_BOLD = re.compile(r"\*\*(?:\\.|[^*\\])+\*\*")


def _inline_link(href: str) -> re.Pattern:
    """`[text](href)` or `[text](href "title")`, the text allowing escaped characters."""
    return re.compile(r"\[(?:\\.|[^\]\\])*\]\(" + re.escape(href) + r'(?:\s+"[^"]*")?\)')


def redact_withdrawn_sources(consultation, markdown: str) -> str:
    """The text with what it quoted of contributions that are no longer public (hidden, withdrawn or merged
    after the synthesis was validated) taken out. A passage whose every source is gone, or that cites such a
    comment (its quoted words sit next to the link), is replaced whole: its other words (a group's key words,
    drawn from those very texts) are theirs too. Where other sources remain, a gone proposal's link keeps its
    address (which shows the moderation placeholder) but not its title, and the passage's bold key words go.
    The stored text is left as written: this is what the public reads."""
    problems = check_citations(consultation, markdown)
    gone = {problem.href for problem in problems if problem.code in ("not_public", "not_found")}
    if not gone:
        return markdown
    lines = markdown.split("\n")
    for token in _markdown.parse(markdown):
        if token.type != "inline" or token.map is None:
            continue
        links = [str(child.attrGet("href") or "") for child in token.children or [] if child.type == "link_open"]
        dead = [href for href in links if href in gone]
        if not dead:
            continue
        start, end = token.map
        live_sources = [href for href in links if href not in gone and parse_link(href) is not None
                        and parse_link(href)[0] != POLL]
        if live_sources and all(parse_link(href)[0] != COMMENT for href in dead):
            rewritten = _without_titles(lines[start:end], dead)
            if rewritten is not None:
                hidden_words = "**" + _("key words not shown") + "**"
                lines[start:end] = [_BOLD.sub(hidden_words, line) for line in rewritten]
                continue
        # Nothing public left to quote, a quoted comment, or a link written another way: the whole passage goes,
        # its links kept (they lead to the moderation placeholder).
        prefix = _LINE_PREFIX.match(lines[start]).group(0)
        label = _("source")
        sources = ", ".join(f"[{label}]({href})" for href in dict.fromkeys(dead))
        lines[start] = prefix + _("Passage withdrawn: it quoted a contribution that is no longer public.") + \
            f" ({sources})"
        for index in range(start + 1, end):
            lines[index] = ""
    return "\n".join(lines)


def _without_titles(lines: list[str], hrefs: list[str]) -> list[str] | None:
    """The lines with the text of each link to `hrefs` replaced, or None when a link is written in a way this
    cannot rewrite (a reference-style link, an address also written as plain text)."""
    text = _("contribution no longer public")
    joined = "\n".join(lines)
    for href in set(hrefs):
        joined, count = _inline_link(href).subn(lambda _match, h=href: f"[{text}]({h})", joined)
        if count == 0 or len(re.findall(re.escape(href) + r"(?![\w#/-])", joined)) != count:
            return None
    return joined.split("\n")
