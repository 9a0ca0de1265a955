"""Synthesis commands and queries: drafting from the contributions, saving versions (never overwriting a
concurrent edit silently), the review comments, the workflow transitions, and the differences between versions.

Services flush, never commit; each privileged action leaves an audit entry. The synthesis row is locked while
it is saved or moved, so that two moderators acting at once go one after the other.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from deliberation.accounts.models import User
from deliberation.core import audit, clock
from deliberation.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated, enforce
from deliberation.extensions import db
from deliberation.proposals.models import PUBLIC_STATUSES, Comment, CommentStatus, Proposal
from deliberation.proposals.services.common import MAX_ID, clean_line, clean_text
from deliberation.synthesis import citations as citation_tools
from deliberation.synthesis import policies
from deliberation.synthesis.models import (
    BODY_MAX_LENGTH,
    REVIEW_COMMENT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    CitationTargetType,
    OfficialResponse,
    Synthesis,
    SynthesisCitation,
    SynthesisReviewComment,
    SynthesisSection,
    SynthesisStatus,
    SynthesisTransition,
    SynthesisVersion,
)

SYNTHESIS_MESSAGES = {
    "synthesis_changed": _l("Someone saved this synthesis after you opened it. Your text was kept: compare it "
                            "with the current version, then save again."),
    "invalid_citations": _l("Some citations do not point to a public contribution."),
    "synthesis_not_editable": _l("This synthesis can no longer be changed: it has been validated."),
    "synthesis_not_in_review": _l("Comments are open only while the synthesis is in review."),
    "not_allowed_to_transition": _l("Your role does not allow this change of status."),
    "assembly_not_in_consultation": _l("This assembly belongs to another consultation."),
    "unknown_status": _l("Unknown status."),
    "unknown_version": _l("This version does not exist."),
}
REQUIRED = _l("This field is required.")


def synthesis_error(kind, code: str, **kwargs):
    return kind(code, SYNTHESIS_MESSAGES[code], **kwargs)


def _enforce(refusal: str | None) -> None:
    enforce(refusal, messages=SYNTHESIS_MESSAGES, conflicts=("transition_not_allowed",))

def _signed_in(actor) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise Unauthenticated()


def _may_write(actor) -> None:
    """Signed in and not blocked: a blocked account reads but writes nothing (403 account_blocked)."""
    _signed_in(actor)
    if getattr(actor, "is_blocked", False):
        raise Forbidden("account_blocked")


# Loading -------------------------------------------------------------------------------------------------


def get_synthesis(synthesis_id) -> Synthesis:
    if not isinstance(synthesis_id, int) or not 0 < synthesis_id <= MAX_ID:
        raise NotFound()
    synthesis = db.session.get(Synthesis, synthesis_id)
    if synthesis is None:
        raise NotFound()
    return synthesis


def get_visible_synthesis(synthesis_id, viewer) -> Synthesis:
    """The synthesis when `viewer` may read it; 401 for an anonymous visitor, 403 for others (account_blocked
    for a blocked account: its roles no longer open anything, and it should know why)."""
    synthesis = get_synthesis(synthesis_id)
    if not policies.can_view(viewer, synthesis):
        _may_write(viewer)
        raise Forbidden("forbidden")
    return synthesis


def lock_synthesis(synthesis: Synthesis) -> Synthesis:
    """Re-read the synthesis and hold its row until the transaction ends (PostgreSQL: SELECT … FOR UPDATE;
    SQLite: a no-op UPDATE takes the database's write lock)."""
    query = select(Synthesis).where(Synthesis.id == synthesis.id).execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    else:
        db.session.execute(update(Synthesis).where(Synthesis.id == synthesis.id).values(version=Synthesis.version)
                           .execution_options(synchronize_session=False))
    locked = db.session.scalar(query)
    if locked is None:
        raise NotFound()
    return locked


# Drafting and saving -------------------------------------------------------------------------------------


def require_may_draft(actor, consultation) -> None:
    """401 anonymous, 403 account_blocked, 403 forbidden without the moderator role here (the HTML form checks
    it before reading the form; draft_synthesis again)."""
    _may_write(actor)
    if not policies.can_draft(actor, consultation):
        raise Forbidden("forbidden")


def _default_title(consultation, assembly) -> str:
    if assembly is not None:
        return _("Synthesis of the assembly “%(title)s”", title=assembly.title)[:TITLE_MAX_LENGTH]
    return _("Synthesis of “%(title)s”", title=consultation.title)[:TITLE_MAX_LENGTH]


def draft_synthesis(consultation, actor, *, assembly=None, title=None) -> Synthesis:
    """A new draft written by the system from the consultation's public contributions (or one assembly's),
    every statement citing its sources. Saved as version 1, origin "drafted"."""
    require_may_draft(actor, consultation)
    if assembly is not None and assembly.consultation_id != consultation.id:
        raise synthesis_error(Invalid, "assembly_not_in_consultation",
                              fields={"assembly_id": [SYNTHESIS_MESSAGES["assembly_not_in_consultation"]]})
    title = clean_line(title)
    if len(title) > TITLE_MAX_LENGTH:
        raise Invalid("validation_error", fields={"title": [_l("At most %(max)s characters.",
                                                              max=TITLE_MAX_LENGTH)]})
    from deliberation.synthesis.drafting import draft_synthesis_markdown

    body = draft_synthesis_markdown(consultation, assembly=assembly)[:BODY_MAX_LENGTH]
    now = clock.now()
    synthesis = Synthesis(
        consultation_id=consultation.id, assembly_id=assembly.id if assembly is not None else None,
        title=title or _default_title(consultation, assembly), status=SynthesisStatus.DRAFT, body=body,
        body_html=citation_tools.render_synthesis(body), version=1, created_by_id=actor.id, created_at=now,
        updated_at=now, status_changed_at=now)
    db.session.add(synthesis)
    db.session.flush()
    db.session.add(SynthesisVersion(synthesis_id=synthesis.id, number=1, body=body, origin="drafted",
                                    author_id=actor.id, created_at=now))
    _rebuild_structure(synthesis)
    audit.record(actor, "synthesis_drafted", synthesis, consultation_id=consultation.id,
                 assembly_id=synthesis.assembly_id)
    return synthesis


def displayed_text(synthesis: Synthesis) -> tuple[str, str]:
    """(Markdown, HTML) as readers get them. Once the text is frozen (validated and after), a contribution it
    cites may be hidden or withdrawn later: what it quoted of it is taken out (citations.redact_withdrawn_sources);
    the stored versions stay as they were validated."""
    if synthesis.is_editable or not _cites_withdrawn_sources(synthesis):
        return synthesis.body, synthesis.body_html
    body = citation_tools.redact_withdrawn_sources(synthesis.consultation, synthesis.body)
    if body == synthesis.body:
        return synthesis.body, synthesis.body_html
    return body, citation_tools.render_synthesis(body)


def _cites_withdrawn_sources(synthesis: Synthesis) -> bool:
    """Whether a proposal or comment the text cites is no longer public: one query on the citations stored at
    the last save, so that the usual page does not parse a long text on every request."""
    public = [status.value for status in PUBLIC_STATUSES]
    proposals = (
        select(SynthesisCitation.id)
        .outerjoin(Proposal, Proposal.id == SynthesisCitation.target_id)
        .where(SynthesisCitation.synthesis_id == synthesis.id,
               SynthesisCitation.target_type == CitationTargetType.PROPOSAL,
               or_(Proposal.id.is_(None), Proposal.status.not_in(public))))
    comments = (
        select(SynthesisCitation.id)
        .outerjoin(Comment, Comment.id == SynthesisCitation.target_id)
        .outerjoin(Proposal, Proposal.id == Comment.proposal_id)
        .where(SynthesisCitation.synthesis_id == synthesis.id,
               SynthesisCitation.target_type == CitationTargetType.COMMENT,
               or_(Comment.id.is_(None), Comment.status != CommentStatus.PUBLISHED, Proposal.status.not_in(public))))
    return bool(db.session.scalar(select(exists(proposals.union_all(comments)))))


def citation_problems(consultation, body: str) -> list[str]:
    """The messages about the citations of `body` that do not point to a public contribution, or that stand in a
    section's title."""
    # Given the text itself, every distinct link is checked (two spellings of one target included).
    problems = citation_tools.check_citations(consultation, body)
    in_titles = [_("%(link)s: a section title cannot cite a contribution; cite it in the text below the title.",
                   link=href) for href in citation_tools.cited_in_section_titles(body)]
    return [_problem_text(problem) for problem in problems] + in_titles


def _problem_text(problem) -> str:
    """« /proposals/12 : message », so that the moderator finds the link to correct."""
    return _("%(link)s: %(message)s", link=problem.link, message=problem.message)


def save_synthesis(synthesis: Synthesis, actor, *, body, based_on_version) -> Synthesis:
    """Save a new version of the text. Refused when the text is no longer editable (409), when someone saved
    since `based_on_version` (409 synthesis_changed), or when a citation does not point to a public
    contribution (422 invalid_citations, the problems under fields.body)."""
    _may_write(actor)
    if not policies.is_moderator_of(actor, synthesis.consultation_id):
        raise Forbidden("forbidden")
    synthesis = lock_synthesis(synthesis)
    if not synthesis.is_editable:
        raise synthesis_error(Conflict, "synthesis_not_editable")
    if based_on_version != synthesis.version:
        raise synthesis_error(Conflict, "synthesis_changed")
    body = clean_text(body)
    if not body:
        raise Invalid("validation_error", fields={"body": [REQUIRED]})
    if len(body) > BODY_MAX_LENGTH:
        raise Invalid("validation_error", fields={"body": [_l("At most %(max)s characters.", max=BODY_MAX_LENGTH)]})
    problems = citation_problems(synthesis.consultation, body)
    if problems:
        raise synthesis_error(Invalid, "invalid_citations", fields={"body": problems})
    if body == synthesis.body:
        return synthesis
    now = clock.now()
    synthesis.version += 1
    synthesis.body = body
    synthesis.body_html = citation_tools.render_synthesis(body)
    synthesis.updated_at = now
    db.session.add(SynthesisVersion(synthesis_id=synthesis.id, number=synthesis.version, body=body,
                                    origin="edited", author_id=actor.id, created_at=now))
    _rebuild_structure(synthesis)
    audit.record(actor, "synthesis_saved", synthesis, version=synthesis.version)
    return synthesis


def _rebuild_structure(synthesis: Synthesis) -> None:
    """Sections keyed by anchor (kept ones get their new title and position; removed ones go, unless an
    official response points at them) and the citations read from the text."""
    db.session.execute(delete(SynthesisCitation).where(SynthesisCitation.synthesis_id == synthesis.id))
    existing = {section.anchor: section for section in db.session.scalars(
        select(SynthesisSection).where(SynthesisSection.synthesis_id == synthesis.id))}
    kept: dict[str, SynthesisSection] = {}
    for item in citation_tools.sections_of(synthesis.body):
        if item.anchor in kept:
            continue
        section = existing.pop(item.anchor, None)
        if section is None:
            section = SynthesisSection(synthesis_id=synthesis.id, anchor=item.anchor)
            db.session.add(section)
        section.title = item.title
        section.position = item.position
        kept[item.anchor] = section
    answered = set(db.session.scalars(select(OfficialResponse.section_id).where(
        OfficialResponse.section_id.in_([s.id for s in existing.values() if s.id is not None]))))
    for section in existing.values():
        if section.id not in answered:
            db.session.delete(section)
    db.session.flush()

    found = citation_tools.find_citations(synthesis.body)
    seen: set[tuple] = set()
    for citation, proposal_id in zip(found, citation_tools.citation_proposal_ids(found), strict=True):
        target_type = CitationTargetType(citation.target_type)
        section = kept.get(citation.section_anchor) if citation.section_anchor is not None else None
        key = (section.id if section else None, target_type, citation.target_id)
        if key in seen:
            continue
        seen.add(key)
        db.session.add(SynthesisCitation(
            synthesis_id=synthesis.id, section_id=section.id if section else None, target_type=target_type,
            target_id=citation.target_id, proposal_id=proposal_id))
    db.session.flush()
    db.session.expire(synthesis, ["sections"])


# Review --------------------------------------------------------------------------------------------------


def add_review_comment(synthesis: Synthesis, actor, body) -> SynthesisReviewComment:
    _may_write(actor)
    if not policies.is_staff_of(actor, synthesis.consultation_id):
        raise Forbidden("forbidden")
    if not policies.can_comment(actor, synthesis):
        raise synthesis_error(Conflict, "synthesis_not_in_review")
    body = clean_text(body)
    if not body:
        raise Invalid("validation_error", fields={"body": [REQUIRED]})
    if len(body) > REVIEW_COMMENT_MAX_LENGTH:
        raise Invalid("validation_error", fields={"body": [_l("At most %(max)s characters.",
                                                             max=REVIEW_COMMENT_MAX_LENGTH)]})
    comment = SynthesisReviewComment(synthesis_id=synthesis.id, author_id=actor.id, version=synthesis.version,
                                     body=body, created_at=clock.now())
    db.session.add(comment)
    db.session.flush()
    audit.record(actor, "synthesis_review_commented", synthesis, comment_id=comment.id,
                 version=synthesis.version)
    return comment


def list_review_comments(synthesis: Synthesis) -> list[SynthesisReviewComment]:
    return list(db.session.scalars(select(SynthesisReviewComment).where(
        SynthesisReviewComment.synthesis_id == synthesis.id).order_by(SynthesisReviewComment.created_at,
                                                                       SynthesisReviewComment.id)))


# Workflow ------------------------------------------------------------------------------------------------


def parse_status(value) -> SynthesisStatus:
    try:
        return SynthesisStatus(value)
    except (ValueError, TypeError):
        raise synthesis_error(Invalid, "unknown_status",
                              fields={"to": [SYNTHESIS_MESSAGES["unknown_status"]]}) from None


def unanswered_sections(synthesis: Synthesis) -> int:
    return db.session.scalar(
        select(func.count(SynthesisSection.id)).where(
            SynthesisSection.synthesis_id == synthesis.id,
            ~SynthesisSection.id.in_(select(OfficialResponse.section_id).where(
                OfficialResponse.section_id.is_not(None))))) or 0


def transition_synthesis(synthesis: Synthesis, actor, to) -> Synthesis:
    """Move the synthesis along its workflow (policies.TRANSITIONS): an edge the graph does not hold → 409
    transition_not_allowed; another role's edge → 403; validating re-checks the citations (409 invalid_citations
    when a cited contribution is no longer public); answered needs a response to every section (409
    sections_unanswered). Dated (SynthesisTransition, status_changed_at) and audited; publishing notifies the
    authors of the cited proposals (their e-mails leave after the commit)."""
    to = parse_status(to)
    synthesis = lock_synthesis(synthesis)
    _enforce(policies.transition_refusal(actor, synthesis, to))
    if to == SynthesisStatus.VALIDATED:
        # A cited contribution may have been hidden or withdrawn since the last save: what is validated (and
        # sent to the officials, then published) cites only public contributions.
        problems = citation_problems(synthesis.consultation, synthesis.body)
        if problems:
            raise synthesis_error(Conflict, "invalid_citations", fields={"body": problems})
    if to == SynthesisStatus.ANSWERED:
        missing = unanswered_sections(synthesis)
        if missing:
            raise Conflict("sections_unanswered", ngettext(
                "%(num)d section has no response from the elected officials yet.",
                "%(num)d sections have no response from the elected officials yet.", missing))
    previous = synthesis.status
    now = clock.now()
    synthesis.status = to
    synthesis.status_changed_at = now
    if to == SynthesisStatus.PUBLISHED:
        synthesis.published_at = now
    db.session.add(SynthesisTransition(synthesis_id=synthesis.id, from_status=previous, to_status=to,
                                       actor_id=actor.id, created_at=now))
    db.session.flush()
    audit.record(actor, "synthesis_transitioned", synthesis, from_status=previous.value, to_status=to.value)
    if to == SynthesisStatus.PUBLISHED:
        _notify_cited_authors(synthesis, actor)
    return synthesis


def _notify_cited_authors(synthesis: Synthesis, actor) -> None:
    from deliberation.notifications import services as notifications
    from deliberation.proposals.models import PUBLIC_STATUSES

    authors = db.session.scalars(
        select(User).join(Proposal, Proposal.author_id == User.id).where(
            Proposal.id.in_(select(SynthesisCitation.proposal_id).where(
                SynthesisCitation.synthesis_id == synthesis.id, SynthesisCitation.proposal_id.is_not(None))),
            Proposal.status.in_(PUBLIC_STATUSES)).distinct().order_by(User.id))
    for author in authors:
        if author.id == actor.id:
            continue
        notifications.notify(author, "synthesis_published", params={"synthesis": synthesis.title},
                             link=f"/syntheses/{synthesis.id}")


def list_transitions(synthesis: Synthesis) -> list[SynthesisTransition]:
    return list(db.session.scalars(select(SynthesisTransition).where(
        SynthesisTransition.synthesis_id == synthesis.id).order_by(SynthesisTransition.created_at,
                                                                   SynthesisTransition.id)))


# Queries -------------------------------------------------------------------------------------------------


def list_syntheses(consultation, viewer) -> list[Synthesis]:
    """Staff see every synthesis of the consultation, officials those sent to them, others the published
    ones; newest first."""
    query = select(Synthesis).where(Synthesis.consultation_id == consultation.id)
    if not policies.can_list_all(viewer, consultation):
        statuses = {SynthesisStatus.PUBLISHED}
        if policies.is_official_of(viewer, consultation.id):
            statuses |= policies.OFFICIAL_STATUSES
        query = query.where(Synthesis.status.in_(statuses))
    return list(db.session.scalars(query.order_by(Synthesis.created_at.desc(), Synthesis.id.desc())
                                   .options(selectinload(Synthesis.sections))))


def list_published(consultation) -> list[Synthesis]:
    return list(db.session.scalars(select(Synthesis).where(
        Synthesis.consultation_id == consultation.id, Synthesis.status == SynthesisStatus.PUBLISHED)
        .order_by(Synthesis.published_at.desc(), Synthesis.id.desc())))


def list_versions(synthesis: Synthesis) -> list[SynthesisVersion]:
    return list(db.session.scalars(select(SynthesisVersion).where(
        SynthesisVersion.synthesis_id == synthesis.id).order_by(SynthesisVersion.number.desc())))


def get_version(synthesis: Synthesis, number) -> SynthesisVersion:
    version = None
    if isinstance(number, int) and 0 < number <= MAX_ID:
        version = db.session.scalar(select(SynthesisVersion).where(
            SynthesisVersion.synthesis_id == synthesis.id, SynthesisVersion.number == number))
    if version is None:
        raise synthesis_error(NotFound, "unknown_version")
    return version


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison: kind is "same", "added" or "removed"; numbers are the line's number in the
    older (old) and newer (new) text, None where the line is absent."""

    kind: str
    text: str
    old: int | None
    new: int | None


def diff_versions(synthesis: Synthesis, a, b) -> list[DiffLine]:
    """The line-by-line differences from version `a` to version `b` (difflib)."""
    old = get_version(synthesis, a).body.splitlines()
    new = get_version(synthesis, b).body.splitlines()
    return diff_lines(old, new)


def diff_lines(old: list[str], new: list[str]) -> list[DiffLine]:
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", old[i], i + 1, j + 1) for i, j in zip(range(i1, i2), range(j1, j2),
                                                                                 strict=True))
            continue
        lines.extend(DiffLine("removed", old[i], i + 1, None) for i in range(i1, i2))
        lines.extend(DiffLine("added", new[j], None, j + 1) for j in range(j1, j2))
    return lines
