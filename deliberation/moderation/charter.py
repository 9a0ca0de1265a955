"""The moderation charter: Markdown text that administrators edit. Each edit is a new version; old versions are
never changed and stay readable. Until a first version exists, a default text is shown."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import ForeignKey, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from deliberation.core import audit, clock
from deliberation.core.db import Base
from deliberation.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from deliberation.core.text import render_markdown
from deliberation.extensions import db
from deliberation.proposals.services.common import clean_text

CHARTER_MAX_LENGTH = 20_000

DEFAULT_CHARTER = """\
Cette charte dit ce que la modération retire et pourquoi. Chaque décision est publique dans le journal de
modération, avec son motif ; l'auteur ou l'autrice est prévenu·e et peut la contester une fois.

## 1. Respect des personnes
Pas d'insulte, de propos diffamatoire ni d'attaque contre une personne reconnaissable.

## 2. Données personnelles
Pas de nom, d'adresse, de téléphone ni d'autre donnée personnelle d'un tiers.

## 3. Rester dans le sujet
Les contributions portent sur la consultation en cours.

## 4. Pas de publicité ni de propagande électorale
Ni démarchage commercial, ni appel à voter pour une liste ou une personne.

## 5. Respect de la loi
Tout contenu illégal est retiré.
"""


class CharterVersion(Base):
    __tablename__ = "moderation_charter_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


def can_edit_charter(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False)) \
        and user.is_admin


def current_version() -> CharterVersion | None:
    return db.session.scalar(select(CharterVersion).order_by(CharterVersion.number.desc()).limit(1))


def list_versions() -> list[CharterVersion]:
    return list(db.session.scalars(select(CharterVersion).order_by(CharterVersion.number.desc())))


def get_version(number) -> CharterVersion:
    if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 2**31:
        raise NotFound()
    version = db.session.scalar(select(CharterVersion).where(CharterVersion.number == number))
    if version is None:
        raise NotFound()
    return version


_NUMBERED_HEADING = re.compile(r"<h3>(\d+)([.)])")


def render(body: str) -> Markup:
    """The charter as safe HTML; a heading that starts with a number gets the anchor #regle-<number>."""
    html = _NUMBERED_HEADING.sub(lambda m: f'<h3 id="regle-{m.group(1)}">{m.group(1)}{m.group(2)}',
                                 render_markdown(body))
    return Markup(html)  # noqa: S704 - sanitised by render_markdown; the added ids are digits only


_RULE_NUMBER = re.compile(r"^\D{0,12}?(\d{1,3})\b")


def rule_anchor(charter_rule: str | None) -> str | None:
    """The anchor of the rule a decision cites ("2", "règle 2", "Article 2 – …"), or None."""
    match = _RULE_NUMBER.match((charter_rule or "").strip())
    return f"regle-{match.group(1)}" if match else None


def publish_version(actor, body) -> CharterVersion:
    """A new version (never an edit of an old one), by an administrator; audited."""
    if not getattr(actor, "is_authenticated", False):
        raise Unauthenticated()
    if not can_edit_charter(actor):
        raise Forbidden("forbidden")
    body = clean_text(body)
    if not body:
        raise Invalid("validation_error", fields={"body": [_l("Write the text of the charter.")]})
    if len(body) > CHARTER_MAX_LENGTH:
        raise Invalid("validation_error", fields={"body": [_l("At most %(max)s characters.",
                                                               max=CHARTER_MAX_LENGTH)]})
    number = (db.session.scalar(select(func.max(CharterVersion.number))) or 0) + 1
    version = CharterVersion(number=number, body=body, author_id=actor.id, created_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError:  # two administrators at once
        raise Conflict("conflict") from None
    audit.record(actor, "moderation_charter_published", target_type="moderation_charter_version",
                 target_id=version.id, number=number)
    return version


def seed_charter(body: str = DEFAULT_CHARTER) -> CharterVersion | None:
    """For the demo: a first version if none exists (idempotent)."""
    if current_version() is not None:
        return None
    version = CharterVersion(number=1, body=body, author_id=None, created_at=clock.now())
    db.session.add(version)
    db.session.flush()
    return version
