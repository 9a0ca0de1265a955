"""The draft of a synthesis, in Markdown, from a consultation's public data (or one assembly's).

Reads only: public proposals (PUBLIC_STATUSES), their published comments, supports, the closed polls of the
assemblies. Every statement links to its sources (`/proposals/<id>`, `/proposals/<id>#comment-<id>`,
`/assemblies/polls/<id>/verify`) so that synthesis.citations can read them back and check them. A bounded
number of queries, whatever the number of proposals (see _Data.load). The same data always gives the same
text (no dates, stable orders, deterministic grouping).
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from deliberation.extensions import db
from deliberation.synthesis.drafting.grouping import Group, group_texts

EXCERPT_LENGTH = 200
TITLES_SHOWN = 3  # a group's most supported titles written out; the others are cited by number
ARGUMENTS_PER_STANCE = 2


@dataclass(frozen=True)
class _Style:
    """How much the draft quotes. A big consultation must still fit in a synthesis (models.BODY_MAX_LENGTH):
    the draft then quotes fewer and shorter arguments, then cites the less supported members by bare number,
    and every contribution stays cited as long as possible."""

    arguments_per_stance: int = ARGUMENTS_PER_STANCE
    excerpt_length: int = EXCERPT_LENGTH
    titles_shown: int = TITLES_SHOWN
    compact: bool = False


STYLES = (_Style(), _Style(arguments_per_stance=1, excerpt_length=120),
          _Style(arguments_per_stance=0, titles_shown=1, compact=True))

# Inline, only these can start a mark: emphasis, code, links ('!' only before '[', escaped), autolinks and
# HTML, entities; '#' could close a heading.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&#])")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


# Text helpers

def escape_markdown(text: str | None) -> str:
    """Text quoted inline: whitespace collapsed and every character Markdown could read as a mark escaped, so
    that a title with ']' or '*' neither breaks a link nor turns bold."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _SPACE.sub(" ", text or "").strip())


def shorten(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """At most `limit` characters, cut between words, with '…' when cut."""
    text = _SPACE.sub(" ", text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit + 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else text[:limit]
    return cut.rstrip(" ,;:.!?—-–") + "…"


def plain_text(body_html: str | None) -> str:
    """The words of sanitised HTML (a comment's body_html), without tags or entities."""
    return html.unescape(_SPACE.sub(" ", _TAG.sub(" ", body_html or ""))).strip()


def _quote(title: str) -> str:
    return f"« {escape_markdown(title)} »"


def proposal_path(proposal_id: int) -> str:
    return f"/proposals/{proposal_id}"


def comment_path(proposal_id: int, comment_id: int) -> str:
    return f"/proposals/{proposal_id}#comment-{comment_id}"


def poll_path(poll_id: int) -> str:
    return f"/assemblies/polls/{poll_id}/verify"


# Data

@dataclass
class _Proposal:
    id: int
    title: str
    body: str
    kind: str
    area_id: int | None
    priority_id: int | None
    supports: int
    author_id: int
    comments: list = field(default_factory=list)


@dataclass
class _Comment:
    id: int
    proposal_id: int
    author_id: int
    stance: str
    depth: int
    text: str


@dataclass
class _Data:
    proposals: list[_Proposal]
    comments: list[_Comment]
    supporters: set[int]
    priorities: list
    areas: dict
    assemblies: list
    polls: list

    @classmethod
    def load(cls, consultation, assembly=None) -> _Data:
        """Seven queries, plus those of each closed poll's results."""
        from deliberation.assemblies.models import AgendaItem, Assembly, Poll, PollState, agenda_item_proposals
        from deliberation.proposals.models import (
            PUBLIC_STATUSES,
            Comment,
            CommentStance,
            CommentStatus,
            Proposal,
            Support,
        )
        from deliberation.territories.models import Priority, PriorityArea

        public = [Proposal.consultation_id == consultation.id, Proposal.status.in_(sorted(PUBLIC_STATUSES))]
        if assembly is not None:
            on_agenda = (select(agenda_item_proposals.c.proposal_id)
                         .join(AgendaItem, AgendaItem.id == agenda_item_proposals.c.agenda_item_id)
                         .where(AgendaItem.assembly_id == assembly.id))
            public.append(Proposal.id.in_(on_agenda))
        rows = db.session.execute(
            select(Proposal.id, Proposal.title, Proposal.body, Proposal.kind, Proposal.area_id,
                   Proposal.priority_id, Proposal.supports_count, Proposal.author_id)
            .where(*public).order_by(Proposal.id))
        proposals = [_Proposal(id=row[0], title=row[1], body=row[2] or "", kind=str(row[3]), area_id=row[4],
                               priority_id=row[5], supports=row[6] or 0, author_id=row[7]) for row in rows]
        by_id = {proposal.id: proposal for proposal in proposals}
        # Published comments of public proposals only: a hidden comment, or any comment of a hidden proposal,
        # never reaches the draft.
        rows = db.session.execute(
            select(Comment.id, Comment.proposal_id, Comment.author_id, Comment.stance, Comment.depth,
                   Comment.body_html)
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .where(*public, Comment.status == CommentStatus.PUBLISHED).order_by(Comment.id))
        comments = []
        for row in rows:
            comment = _Comment(id=row[0], proposal_id=row[1], author_id=row[2], stance=str(row[3]),
                               depth=row[4] or 0, text=plain_text(row[5]))
            comments.append(comment)
            if comment.stance in (CommentStance.FOR.value, CommentStance.AGAINST.value):
                by_id[comment.proposal_id].comments.append(comment)
        supporters = set(db.session.scalars(
            select(Support.user_id).join(Proposal, Proposal.id == Support.proposal_id).where(*public).distinct()))
        priority_ids = {p.priority_id for p in proposals if p.priority_id is not None}
        priorities = list(db.session.scalars(
            select(Priority).where(Priority.id.in_(priority_ids)).order_by(Priority.position, Priority.id))
        ) if priority_ids else []
        area_ids = {p.area_id for p in proposals if p.area_id is not None}
        areas = {area.id: area for area in db.session.scalars(
            select(PriorityArea).where(PriorityArea.id.in_(area_ids)))} if area_ids else {}
        if assembly is not None:
            assemblies = [assembly]
        else:
            assemblies = list(db.session.scalars(
                select(Assembly).where(Assembly.consultation_id == consultation.id)
                .order_by(Assembly.starts_at.is_(None), Assembly.starts_at, Assembly.id)))
        polls = []
        if assemblies:
            from sqlalchemy.orm import selectinload

            rank = {item.id: position for position, item in enumerate(assemblies)}
            polls = sorted(db.session.scalars(
                select(Poll).options(selectinload(Poll.options))
                .where(Poll.assembly_id.in_(list(rank)), Poll.state == PollState.CLOSED)),
                key=lambda poll: (rank[poll.assembly_id], poll.closed_at is None, poll.closed_at, poll.id))
        return cls(proposals=proposals, comments=comments, supporters=supporters, priorities=priorities,
                   areas=areas, assemblies=assemblies, polls=polls)


# The document

def _contributions(count: int) -> str:
    return ngettext("%(num)d contribution", "%(num)d contributions", count)


def _supports(count: int) -> str:
    return ngettext("%(num)d support", "%(num)d supports", count)


def _kind_count(kind: str, count: int) -> str:
    if kind == "observation":
        return ngettext("%(num)d observation", "%(num)d observations", count)
    if kind == "question":
        return ngettext("%(num)d question", "%(num)d questions", count)
    if kind == "testimony":
        return ngettext("%(num)d testimony", "%(num)d testimonies", count)
    return ngettext("%(num)d proposal", "%(num)d proposals", count)


KIND_ORDER = ("proposal", "observation", "question", "testimony")


def _figures(consultation, data: _Data, assembly) -> list[str]:
    page = f"/consultations/{consultation.id}"
    listing = f"{page}/proposals"
    proposals = data.proposals
    participants = ({p.author_id for p in proposals} | {c.author_id for c in data.comments} | data.supporters)
    lines = ["## " + escape_markdown(_("Key figures")), ""]
    source = _("consultation page")
    list_label, all_label = _("list"), _("list of contributions")
    lines.append("- " + _("Participants: %(count)d (authors of public contributions, commenters and supporters, "
                          "each counted once)", count=len(participants)) + f" ([{source}]({page}))")
    lines.append("- " + _("Public contributions: %(count)d", count=len(proposals))
                 + f" ([{all_label}]({listing}))")
    kinds = Counter(p.kind for p in proposals)
    for kind in KIND_ORDER:
        if kinds[kind]:
            lines.append(f"  - {_kind_count(kind, kinds[kind])} ([{list_label}]({listing}?kind={kind}))")
    by_area = Counter(p.area_id for p in proposals)
    if proposals:
        lines.append("- " + _("Contributions by neighbourhood:") + f" ([{all_label}]({listing}))")
        for area in sorted((data.areas[i] for i in by_area if i is not None), key=lambda a: (a.name, a.id)):
            lines.append(f"  - {escape_markdown(area.name)} : {_contributions(by_area[area.id])}"
                         f" ([{list_label}]({listing}?area_id={area.id}))")
        if by_area[None]:
            no_area = escape_markdown(_("No neighbourhood given"))
            lines.append(f"  - {no_area} : {_contributions(by_area[None])} ([{all_label}]({listing}))")
    total_supports = sum(p.supports for p in proposals)
    most_supported = _("most supported")
    lines.append("- " + _("Supports: %(count)d, from %(people)d people", count=total_supports,
                          people=len(data.supporters)) + f" ([{most_supported}]({listing}?sort=supports))")
    stances = Counter(c.stance for c in data.comments)
    lines.append("- " + _("Comments: %(count)d (%(for)d for, %(against)d against, %(neutral)d neutral)",
                          count=len(data.comments), **{"for": stances["for"], "against": stances["against"],
                                                      "neutral": stances["neutral"]})
                 + f" ([{source}]({page}))")
    if data.assemblies:
        if assembly is None:
            lines.append("- " + _("Assemblies: %(count)d; closed polls: %(polls)d", count=len(data.assemblies),
                                  polls=len(data.polls)) + f" ([{source}]({page}))")
        else:
            lines.append("- " + _("Closed polls of this assembly: %(polls)d", polls=len(data.polls))
                         + f" ([{source}]({page}))")
        for item in data.assemblies:
            if item.peak_attendance:
                lines.append(f"  - {_quote(item.title)} : " + ngettext(
                    "at most %(num)d person connected at once", "at most %(num)d people connected at once",
                    item.peak_attendance))
            else:
                lines.append(f"  - {_quote(item.title)}")
    lines.append("")
    return lines


def _argument_key(comment: _Comment, supports: dict[int, int]) -> tuple:
    # The debate of the most supported proposals first, then top-level comments, then the longer (more
    # argued) ones, then the oldest: deterministic.
    return (-supports[comment.proposal_id], comment.depth, -min(len(comment.text), EXCERPT_LENGTH), comment.id)


def _arguments(members: list[_Proposal], indent: str, style: _Style) -> list[str]:
    if not style.arguments_per_stance:
        return []
    supports = {p.id: p.supports for p in members}
    lines = []
    comment = _("comment")
    for stance, label in (("for", _("Arguments for:")), ("against", _("Arguments against:"))):
        candidates = sorted((c for p in members for c in p.comments if c.stance == stance and c.text),
                            key=lambda c: _argument_key(c, supports))
        chosen: dict[str, tuple[str, _Comment]] = {}  # the same words twice say nothing more
        for candidate in candidates:
            excerpt = shorten(candidate.text, style.excerpt_length)
            if excerpt.casefold() not in chosen and len(chosen) < style.arguments_per_stance:
                chosen[excerpt.casefold()] = (excerpt, candidate)
        if chosen:
            quotes = " ; ".join(f"« {escape_markdown(excerpt)} » "
                                f"([{comment}]({comment_path(c.proposal_id, c.id)}))"
                                for excerpt, c in chosen.values())
            lines.append(f"{indent}- {label} {quotes}")
    return lines


def _statement(group: Group, by_id: dict[int, _Proposal], style: _Style, indent: str = "") -> list[str]:
    members = sorted((by_id[key] for key in group.keys), key=lambda p: (-p.supports, p.id))
    label = ", ".join(group.label) if group.label else shorten(members[0].title, 60)
    supports = sum(p.supports for p in members)
    shown = ", ".join(f"[{_quote(p.title)}]({proposal_path(p.id)}) ({_supports(p.supports)})"
                      for p in members[:style.titles_shown])
    line = (f"{indent}- **{escape_markdown(label)}** — {_contributions(len(members))}, {_supports(supports)} : "
            f"{shown}")
    others = members[style.titles_shown:]
    if others:
        line += " ; " + _("also:") + " " + ", ".join(
            "[{}]({})".format(p.id if style.compact else _("no. %(id)d", id=p.id), proposal_path(p.id))
            for p in others)
    return [line, *_arguments(members, indent + "  ", style)]


def _group_supports(group: Group, by_id: dict[int, _Proposal]) -> int:
    return sum(by_id[key].supports for key in group.keys)


def _group_key(group: Group, by_id: dict[int, _Proposal]) -> tuple:
    return (-group.size, -_group_supports(group, by_id), min(group.keys))


def _area_block(proposals: list[_Proposal], by_id: dict[int, _Proposal], style: _Style,
                cache: dict[tuple, list[Group]]) -> list[str]:
    key = tuple(p.id for p in proposals)
    if key not in cache:
        # The title twice: it sums the contribution up, so its words weigh more in similarity and in labels.
        cache[key] = group_texts([(p.id, f"{p.title}\n{p.title}\n{p.body}") for p in proposals])
    groups = cache[key]
    # A small group is a minority view only if it also gathers less support than every larger group: two
    # contributions that residents supported massively are not a minority.
    floor = min((_group_supports(g, by_id) for g in groups if not g.is_minority), default=0)
    minority = sorted((g for g in groups if g.is_minority and _group_supports(g, by_id) < floor),
                      key=lambda g: _group_key(g, by_id))
    main = sorted((g for g in groups if g not in minority), key=lambda g: _group_key(g, by_id))
    lines = []
    for group in main:
        lines.extend(_statement(group, by_id, style))
    if minority:
        lines.append("- " + _("Minority views:"))
        for group in minority:
            lines.extend(_statement(group, by_id, style, indent="  "))
    return lines


def _priority_sections(data: _Data, style: _Style, cache: dict[tuple, list[Group]]) -> list[str]:
    by_id = {p.id: p for p in data.proposals}
    by_priority: dict[int | None, list[_Proposal]] = defaultdict(list)
    for proposal in data.proposals:
        by_priority[proposal.priority_id].append(proposal)
    sections = [(escape_markdown(priority.title), by_priority[priority.id]) for priority in data.priorities]
    if by_priority[None]:
        sections.append((escape_markdown(_("Contributions without a priority")), by_priority[None]))
    lines = []
    for title, proposals in sections:
        lines += [f"## {title}", ""]
        by_area: dict[int | None, list[_Proposal]] = defaultdict(list)
        for proposal in proposals:
            by_area[proposal.area_id].append(proposal)
        areas = sorted((data.areas[i] for i in by_area if i is not None), key=lambda a: (a.name, a.id))
        blocks = [(escape_markdown(area.name), by_area[area.id]) for area in areas]
        if by_area[None]:
            blocks.append((escape_markdown(_("No neighbourhood given")), by_area[None]))
        for area_title, members in blocks:
            lines += [f"### {area_title}", "", *_area_block(members, by_id, style, cache), ""]
    return lines


def _poll_result(poll) -> str | None:
    """The public results of a closed poll as one sentence, or None if the public may not see them."""
    from deliberation.assemblies.forms import MENTION_LABELS, POLL_METHOD_LABELS
    from deliberation.assemblies.services.polls import poll_results
    from deliberation.assemblies.voting import PollMethod

    results = poll_results(poll)  # what the public results API shows, visibility applied
    if results["results_hidden"] or results["results"] is None:
        return None
    total = results["total_ballots"]
    method = PollMethod(poll.method)
    ballots = ngettext("%(num)d ballot", "%(num)d ballots", total)
    head = f"**{escape_markdown(poll.question)}** ({str(POLL_METHOD_LABELS[method]).lower()}) — {ballots}"
    labels = {option.public_id: option.display_label for option in poll.options}
    order = results["ranking"] or []
    if method == PollMethod.RANKING:
        text = _("ranking:") + " " + ", ".join(
            f"{position}. {escape_markdown(labels[option])}" for position, option in enumerate(order, start=1))
    elif method == PollMethod.MAJORITY_JUDGMENT:
        rows = {str(row["option_id"]): row for row in results["results"]}
        text = _("ranking:") + " " + ", ".join(
            f"{position}. {escape_markdown(labels[option])} "
            f"({str(MENTION_LABELS[rows[str(option)]['majority_mention']]).lower()})"
            for position, option in enumerate(order, start=1))
    else:
        counts = {str(row["option_id"]): row["count"] for row in results["results"]}
        parts = []
        for option in order:
            count = counts[str(option)]
            share = f", {format_percent(count / total)}" if total else ""
            parts.append(f"{escape_markdown(labels[option])} : {count}{share}")
        text = " ; ".join(parts)
    verify = _("verify")
    return f"{head} : {text} ([{verify}]({poll_path(poll.id)}))"


def _poll_section(data: _Data) -> list[str]:
    titles = {item.id: item.title for item in data.assemblies}
    statements = []
    for poll in data.polls:
        sentence = _poll_result(poll)
        if sentence is not None:
            statements.append((poll.assembly_id, sentence))
    if not statements:
        return []
    lines = ["## " + escape_markdown(_("Results of the assemblies' polls")), ""]
    current = None
    for assembly_id, sentence in statements:
        if assembly_id != current and len(data.assemblies) > 1:
            lines += ([""] if current is not None else []) + [f"### {_quote(titles[assembly_id])}", ""]
        current = assembly_id
        lines.append(f"- {sentence}")
    lines.append("")
    return lines


def draft_synthesis_markdown(consultation, *, assembly=None, max_length: int | None = None) -> str:
    """The drafted Markdown of a consultation's synthesis (or of one assembly's, when given): key figures, the
    polls, one level-2 section per priority with grouped statements citing public proposals and comments. At most
    `max_length` characters (default models.BODY_MAX_LENGTH), never cut inside a line."""
    from deliberation.synthesis.models import BODY_MAX_LENGTH

    limit = BODY_MAX_LENGTH if max_length is None else max_length
    data = _Data.load(consultation, assembly)
    if assembly is None:
        title = _("Synthesis — %(title)s", title=consultation.title)
        intro = ngettext(
            "This draft was written automatically from the %(num)d public contribution of the consultation.",
            "This draft was written automatically from the %(num)d public contributions of the consultation.",
            len(data.proposals))
    else:
        title = _("Synthesis — %(title)s — %(assembly)s", title=consultation.title, assembly=assembly.title)
        intro = ngettext(
            "This draft was written automatically from the %(num)d public contribution on the assembly's agenda.",
            "This draft was written automatically from the %(num)d public contributions on the assembly's agenda.",
            len(data.proposals))
    lines = [f"# {escape_markdown(title)}", "",
             "_" + escape_markdown(intro) + " " + escape_markdown(_(
                 "Contributions are grouped by priority, by neighbourhood and by similarity of their texts; small "
                 "groups are kept as minority views. Each statement links to its sources. It must be read, "
                 "corrected and completed by people before it is validated.")) + "_", ""]
    # The polls come right after the figures: short, and never the part a very long draft loses at its cut.
    head = lines + _figures(consultation, data, assembly) + _poll_section(data)
    cache: dict[tuple, list[Group]] = {}
    for style in STYLES:
        text = _join(head + _priority_sections(data, style, cache))
        if len(text) <= limit:
            return text
    return _cut(text, limit)


def _join(lines: list[str]) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _cut(text: str, limit: int) -> str:
    """The text cut at the end of a line so that, with a note saying so, it holds in `limit` characters: no
    link is ever cut in half."""
    note = "\n\n_" + escape_markdown(_("The draft was cut here: it was longer than a synthesis may be.")) + "_\n"
    kept = text[:max(0, limit - len(note))]
    kept = kept[:kept.rfind("\n") + 1] if "\n" in kept else ""
    return (kept.rstrip() + note)[:limit]
