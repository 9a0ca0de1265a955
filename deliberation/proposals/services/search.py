"""Listing proposals: filters, French full-text search, sorts (recent, most supported, stable random), pages.

Search ignores accents and matches word forms on both databases (see the initial migration):
- PostgreSQL: the stored column proposals.search_vector (generated from title and body) has the GIN index
  ix_proposals_search; plainto_tsquery never interprets operators in the user's text.
- SQLite: the FTS5 table proposals_fts holds deliberation_search_terms(title || ' ' || body); the query goes
  through the same stemmer and each resulting word is double-quoted, so FTS5 syntax (AND, NEAR, *, -, ")
  typed by a user is only ever text. Words are ANDed, like plainto_tsquery.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import selectinload

from deliberation.accounts.models import User
from deliberation.consultations.models import Consultation
from deliberation.core.text import search_terms, strip_accents
from deliberation.extensions import db
from deliberation.proposals.models import (
    PUBLIC_STATUSES,
    PUBLIC_STATUSES_SQL,
    SHUFFLE_KEY_MAX,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from deliberation.proposals.services.common import MAX_ID, clean_line, raise_if_errors
from deliberation.web.pagination import Page

SORTS = ("recent", "supports", "random")
# Seeds of the random order: starting points among the proposals' shuffle keys.
RANDOM_SEED_MAX = SHUFFLE_KEY_MAX
QUERY_MAX_LENGTH = 200

NOT_PUBLIC_STATUS = _l("Choose one of the statuses offered.")

# PostgreSQL's French stop words (tsearch_data/french.stop), which plainto_tsquery drops. As in the
# deliberation_french configuration, a word is dropped when its accent-free form is in this (accented) list;
# SQLite drops the same words from the query, so both databases find the same proposals.
FRENCH_STOP_WORDS = frozenset("""
au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes moi mon ne
nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre
vous c d j l à m n s t y été étée étées étés étant étante étants étantes suis es est sommes êtes
sont serai seras sera serons serez seront serais serait serions seriez seraient étais était étions
étiez étaient fus fut fûmes fûtes furent sois soit soyons soyez soient fusse fusses fût fussions
fussiez fussent ayant ayante ayantes ayants eu eue eues eus ai as avons avez ont aurai auras aura
aurons aurez auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut eûmes
eûtes eurent aie aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent""".split())
_WORD = re.compile(r"\w+", re.UNICODE)

# Cards show people's names, not their roles (which User loads eagerly by default). Loading the people of a
# page in a second query keeps the main query a plain ordered scan of one partial index: joining users,
# areas and priorities there made PostgreSQL join every matching row before sorting (70 ms at 100,000).
CARD_LOADING = (selectinload(Proposal.author).lazyload(User.roles),
                selectinload(Proposal.mediator).lazyload(User.roles),
                selectinload(Proposal.area), selectinload(Proposal.priority))

_PG_DOCUMENT = "proposals.search_vector"


PUBLIC_CONDITION = text(f"proposals.{PUBLIC_STATUSES_SQL}")


def new_random_seed() -> int:
    return secrets.randbelow(RANDOM_SEED_MAX + 1)


def search_match_terms(query: str | None) -> list[str]:
    """The stemmed, accent-free words of a query, French stop words left out ("Les écoles" → ["ecol"])."""
    words = _WORD.findall(clean_line(query)[:QUERY_MAX_LENGTH].lower().replace("’", "'"))
    kept = [word for word in words if strip_accents(word) not in FRENCH_STOP_WORDS]
    return search_terms(" ".join(kept)).split()


def _search_condition(query: str):
    """None when the query holds no searchable word (then it filters nothing)."""
    terms = search_match_terms(query)
    if not terms:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        return text(f"{_PG_DOCUMENT} @@ plainto_tsquery('deliberation_french'::regconfig, :search_query)"
                    ).bindparams(search_query=clean_line(query)[:QUERY_MAX_LENGTH])
    fts_query = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
    return Proposal.id.in_(
        select(text("rowid")).select_from(text("proposals_fts"))
        .where(text("proposals_fts MATCH :fts_query").bindparams(fts_query=fts_query))
    )


def _random_page(where, seed: int, page: int, per_page: int) -> list[Proposal]:
    """The random sort: every proposal drew a random shuffle_key once; a visitor's seed is a random starting
    point in that order, which wraps around (keys ≥ seed first, then the others). Each visitor gets a stable
    order whose first page is a fair draw, and both halves are read in order from the ix_proposals_public_shuffle
    partial index: hashing every row per request cost over 100 ms at 100,000 proposals."""
    offset = (page - 1) * per_page
    after, before = and_(where, Proposal.shuffle_key >= seed), and_(where, Proposal.shuffle_key < seed)
    count_after = db.session.scalar(select(func.count()).select_from(Proposal).where(after)) or 0

    def read(condition, skip: int, limit: int) -> list[Proposal]:
        return list(db.session.scalars(
            select(Proposal).where(condition).order_by(Proposal.shuffle_key, Proposal.id)
            .offset(skip).limit(limit).options(*CARD_LOADING)
        ))

    if offset >= count_after:
        return read(before, offset - count_after, per_page)
    items = read(after, offset, per_page)
    if len(items) < per_page:
        items += read(before, 0, per_page - len(items))
    return items


def list_proposals(consultation: Consultation, *, viewer=None, q: str | None = None,
                   area_id: int | None = None, priority_id: int | None = None,
                   kind: ProposalKind | str | None = None,
                   status: ProposalStatus | str | None = None, sort: str = "recent", seed: int | None = None,
                   page: int = 1, per_page: int = 20) -> Page[Proposal]:
    """A page of the consultation's public proposals. `status` narrows to one public status; other statuses
    are never listed here (authors find theirs with list_my_proposals). `viewer`: for per-viewer rules later.
    sort="random" needs `seed` (the same seed gives the same order, so pages do not overlap)."""
    errors: dict[str, list[str]] = {}
    if kind is not None and kind not in ProposalKind.__members__.values():
        errors["kind"] = [_l("Choose one of the kinds offered.")]
    for name, ident in (("area_id", area_id), ("priority_id", priority_id)):
        if ident is not None and not (isinstance(ident, int) and 0 < ident <= MAX_ID):
            errors[name] = [_l("Must be a whole number.")]
    if status is not None and status not in PUBLIC_STATUSES:
        errors["status"] = [NOT_PUBLIC_STATUS]
    if sort not in SORTS:
        errors["sort"] = [_l("Must be one of: %(choices)s.", choices=", ".join(SORTS))]
    raise_if_errors(errors)

    conditions = [Proposal.consultation_id == consultation.id]
    # The partial indexes' own predicate, written out with its constants: a bound list of parameters would not
    # let PostgreSQL prove the predicate once psycopg prepares the statement (counts went from 9 to 30 ms).
    conditions.append(Proposal.status == status if status else PUBLIC_CONDITION)
    if area_id is not None:
        conditions.append(Proposal.area_id == area_id)
    if priority_id is not None:
        conditions.append(Proposal.priority_id == priority_id)
    if kind is not None:
        conditions.append(Proposal.kind == kind)
    if q:
        condition = _search_condition(q)
        if condition is not None:
            conditions.append(condition)
    where = and_(*conditions)

    total = db.session.scalar(select(func.count()).select_from(Proposal).where(where)) or 0
    if sort == "random":
        items = _random_page(where, seed if seed is not None else 0, page, per_page)
        return Page(items=items, page=page, per_page=per_page, total=total)
    if sort == "supports":
        order = (Proposal.supports_count.desc(), Proposal.id.desc())
    else:
        order = (Proposal.created_at.desc(), Proposal.id.desc())
    items = db.session.scalars(
        select(Proposal).where(where).order_by(*order).limit(per_page).offset((page - 1) * per_page)
        .options(*CARD_LOADING)
    ).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)


def list_my_proposals(author, *, page: int = 1, per_page: int = 20) -> Page[Proposal]:
    """Everything `author` submitted, in every status (pending and withdrawn included), newest first."""
    where = Proposal.author_id == author.id
    total = db.session.scalar(select(func.count()).select_from(Proposal).where(where)) or 0
    items = db.session.scalars(
        select(Proposal).where(where).order_by(Proposal.created_at.desc(), Proposal.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
        .options(selectinload(Proposal.consultation), *CARD_LOADING)
    ).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)
