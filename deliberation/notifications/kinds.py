"""The kinds of notification: what each says in the app and which e-mail it sends.

A notification stores its kind and plain JSON parameters; the text is rendered when it is read, in the
reader's language. Parameters the messages may use:
- `actor_id`: the person who acted, shown as `%(actor)s` (their current public name, so an erased account
  shows as "deleted participant");
- `proposal`: the proposal's title when the notification was made;
- `status`: a ProposalStatus value, shown as `%(status)s` with its translated label;
- `reason` (moderation): a ReportReason value (or automatic), shown as `%(reason)s` with its translated label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from deliberation.accounts.models import DELETED_USER_LABEL
from deliberation.proposals.models import PROPOSAL_STATUS_LABELS, ProposalStatus


@dataclass(frozen=True)
class NotificationKind:
    name: str
    #: In-app text, with %(name)s placeholders.
    message: LazyString
    #: E-mail subject, with the same placeholders; the body is templates/emails/notifications/<name>.txt.
    email_subject: LazyString

    @property
    def email_template(self) -> str:
        return f"notifications/{self.name}"


KINDS: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    if kind.name in KINDS:
        raise ValueError(f"notification kind {kind.name!r} is already registered")
    KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> NotificationKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown notification kind {name!r}") from None


COMMENT_ON_MY_PROPOSAL = register(NotificationKind(
    "comment_on_my_proposal",
    message=_l("%(actor)s commented on your proposal “%(proposal)s”."),
    email_subject=_l("New comment on your proposal “%(proposal)s”"),
))
REPLY_TO_MY_COMMENT = register(NotificationKind(
    "reply_to_my_comment",
    message=_l("%(actor)s replied to your comment on “%(proposal)s”."),
    email_subject=_l("New reply to your comment on “%(proposal)s”"),
))
PROPOSAL_STATUS_CHANGED = register(NotificationKind(
    "proposal_status_changed",
    message=_l("Your proposal “%(proposal)s” is now: %(status)s."),
    email_subject=_l("Your proposal “%(proposal)s” is now: %(status)s"),
))

MODERATION_HIDDEN = register(NotificationKind(
    "moderation_hidden",
    message=_l("Your contribution “%(proposal)s” was hidden by moderation. Reason: %(reason)s."),
    email_subject=_l("Your contribution “%(proposal)s” was hidden by moderation"),
))
MODERATION_COMMENT_HIDDEN = register(NotificationKind(
    "moderation_comment_hidden",
    message=_l("Your comment on “%(proposal)s” was hidden by moderation. Reason: %(reason)s."),
    email_subject=_l("Your comment on “%(proposal)s” was hidden by moderation"),
))
MODERATION_RESTORED = register(NotificationKind(
    "moderation_restored",
    message=_l("Your contribution “%(proposal)s” is visible again: moderation restored it."),
    email_subject=_l("Your contribution “%(proposal)s” is visible again"),
))
MODERATION_COMMENT_RESTORED = register(NotificationKind(
    "moderation_comment_restored",
    message=_l("Your comment on “%(proposal)s” is visible again: moderation restored it."),
    email_subject=_l("Your comment on “%(proposal)s” is visible again"),
))
MODERATION_PUBLISHED = register(NotificationKind(
    "moderation_published",
    message=_l("Your contribution “%(proposal)s” was read by moderation and is now published."),
    email_subject=_l("Your contribution “%(proposal)s” is published"),
))
MODERATION_APPEAL_UPHELD = register(NotificationKind(
    "moderation_appeal_upheld",
    message=_l("Your appeal about “%(proposal)s” was examined by another moderator: the decision is upheld."),
    email_subject=_l("Your appeal about “%(proposal)s”: the decision is upheld"),
))
MODERATION_APPEAL_OVERTURNED = register(NotificationKind(
    "moderation_appeal_overturned",
    message=_l("Your appeal about “%(proposal)s” was examined by another moderator: the decision is overturned "
               "and your contribution is visible again."),
    email_subject=_l("Your appeal about “%(proposal)s”: the decision is overturned"),
))

# Officials' responses and follow-up (synthesis.responses, synthesis.follow_ups): `response_type` is a
# ResponseType value shown as %(response_type)s, `follow_up` a commitment's title, `progress` a percentage.
OFFICIAL_RESPONSE_PUBLISHED = register(NotificationKind(
    "official_response_published",
    message=_l("The elected officials answered “%(proposal)s”: %(response_type)s."),
    email_subject=_l("The elected officials answered “%(proposal)s”"),
))
OFFICIAL_RESPONSE_UPDATED = register(NotificationKind(
    "official_response_updated",
    message=_l("The elected officials updated their response to “%(proposal)s”: %(response_type)s."),
    email_subject=_l("The elected officials updated their response to “%(proposal)s”"),
))
FOLLOW_UP_UPDATED = register(NotificationKind(
    "follow_up_updated",
    message=_l("The commitment “%(follow_up)s”, taken in answer to “%(proposal)s”, was updated: %(progress)s "
               "%% done."),
    email_subject=_l("News of the commitment “%(follow_up)s”"),
))

SYNTHESIS_PUBLISHED = register(NotificationKind(
    "synthesis_published",
    message=_l("The synthesis “%(synthesis)s”, which cites your contribution, is published."),
    email_subject=_l("A published synthesis cites your contribution: “%(synthesis)s”"),
))

# Assemblies (assemblies.services, through signals): `assembly` is its title, `poll` a vote's question.
PROPOSAL_ON_AGENDA = register(NotificationKind(
    "proposal_on_agenda",
    message=_l("“%(proposal)s” is on the agenda of the assembly “%(assembly)s”: come and debate it."),
    email_subject=_l("“%(proposal)s” will be debated at the assembly “%(assembly)s”"),
))
POLL_CLOSED_ON_PROPOSAL = register(NotificationKind(
    "poll_closed_on_proposal",
    message=_l("The vote “%(poll)s” about “%(proposal)s” is closed: see its result."),
    email_subject=_l("The result of the vote about “%(proposal)s”"),
))

UNKNOWN_KIND_MESSAGE = _l("You have a new notification.")


class _Params(dict):
    """Formatting parameters that never raise: a placeholder missing from an old row shows as an ellipsis."""

    def __missing__(self, key: str) -> str:
        return "…"


def present(params: Mapping[str, Any], actor_names: Mapping[int, str] | None = None) -> dict[str, Any]:
    """The parameters as the messages show them (lazy labels are translated when the text is rendered)."""
    shown: dict[str, Any] = _Params(params)
    # A proposal the reader may not read (hidden, never published) is stored without its title: its number.
    for key, id_key in (("proposal", "proposal_id"), ("from", "from_id")):
        if key in params and params[key] is None and params.get(id_key) is not None:
            shown[key] = _l("no. %(id)s", id=params[id_key])
    if "actor_id" in params:
        names = actor_names or {}
        shown["actor"] = names.get(params["actor_id"]) or DELETED_USER_LABEL
    if "reason" in params:
        from deliberation.moderation.models import reason_label

        shown["reason"] = reason_label(params["reason"]) or "…"
    if "response_type" in params:
        from deliberation.synthesis.models import RESPONSE_TYPE_LABELS, ResponseType

        try:
            shown["response_type"] = RESPONSE_TYPE_LABELS[ResponseType(params["response_type"])]
        except ValueError:
            shown["response_type"] = params["response_type"]
    if "status" in params:
        try:
            shown["status"] = PROPOSAL_STATUS_LABELS[ProposalStatus(params["status"])]
        except ValueError:
            shown["status"] = params["status"]
    return shown


class FormattedText:
    """A translated template and its parameters, rendered by str() in whatever locale is active then
    (send_email renders its subject in the recipient's language)."""

    def __init__(self, template: LazyString, params: Mapping[str, Any]):
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return str(self.template) % _Params({key: str(value) for key, value in self.params.items()})

    def __html__(self) -> str:  # Jinja escapes str(self) in HTML templates
        from markupsafe import escape

        return str(escape(str(self)))


def message_for(kind_name: str, params: Mapping[str, Any], actor_names: Mapping[int, str] | None = None
                ) -> FormattedText:
    kind = KINDS.get(kind_name)
    if kind is None:
        return FormattedText(UNKNOWN_KIND_MESSAGE, {})
    return FormattedText(kind.message, present(params, actor_names))
