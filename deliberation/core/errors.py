"""DomainError: one error vocabulary for HTML forms, the JSON API and socket acks.

A service raises DomainError(code); the HTML adapter flashes or attaches the translated message, the API answers
{"error": {"code", "message", "fields"}} with the status, a socket handler acks {"ok": false, "error": {...}}.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from flask_babel import lazy_gettext as _l

# Messages for the codes services raise. A code missing here falls back to a generic message.
MESSAGES = {
    "not_found": _l("This item does not exist or is no longer available."),
    "forbidden": _l("You are not allowed to do this."),
    "authentication_required": _l("Please sign in to do this."),
    "invalid_credentials": _l("Wrong e-mail address or password."),
    "validation_error": _l("Some fields are not valid."),
    "rate_limited": _l("Too many attempts. Please wait a moment and try again."),
    "conflict": _l("This conflicts with the current state."),
    "csrf_failed": _l("The form expired or was sent from elsewhere. Please try again."),
    "phase_closed": _l("The current phase of this consultation does not allow this."),
    "consultation_not_open": _l("This consultation is not open."),
    "email_taken": _l("An account already uses this e-mail address."),
    "weak_password": _l("This password is too weak."),
    "unknown_role": _l("Unknown role."),
    "account_deleted": _l("This account has been deleted."),
    "already_supported": _l("You already support this proposal."),
    "not_supported": _l("You do not support this proposal."),
    "edit_window_over": _l("The time to edit this contribution is over."),
    "not_editable": _l("This proposal can no longer be changed."),
    "comment_too_deep": _l("Replies can only go three levels deep."),
    "token_expired": _l("This token has expired."),
    "payload_too_large": _l("The request is too large."),
    "bad_request": _l("The request is not valid."),
    "method_not_allowed": _l("This method is not allowed here."),
    "internal_error": _l("Something went wrong on our side. Nothing was saved."),
    "account_blocked": _l("Your account is blocked by moderation: you can still sign in, read, download your data "
                          "or delete your account, but not post. The reason is on your account page."),
    "export_busy": _l("Many downloads of this data are under way: please try again in a minute."),
    "database_busy": _l("Many people are saving at this very moment. Nothing was saved: please try again in a "
                        "few seconds."),
    "vote_not_confirmed": _l("Your vote is not confirmed yet: your phone sends it again by itself."),
    "phases_overlap": _l("Phases of a consultation must not overlap."),
    "not_author": _l("Only the author can do this."),
    "not_mediator": _l("Only a mediator can submit with and for a resident."),
    "not_withdrawable": _l("This proposal can no longer be withdrawn."),
    "own_proposal": _l("You cannot support your own proposal."),
    "proposal_not_public": _l("This proposal is not published."),
    "unknown_join_code": _l("No assembly has this code. Check the code shown in the room."),
    "assembly_ended": _l("This assembly has ended."),
    "sign_in_required": _l("Please sign in to join this assembly."),
    "unknown_device": _l("Join the assembly with its code first."),
    "not_a_participant": _l("You have not joined this assembly."),
    "poll_closed": _l("This vote is closed."),
    "poll_not_open": _l("This vote is not open yet."),
    "poll_not_closed": _l("The ballots are published once the vote is closed."),
    "ballot_log_not_published": _l("This vote publishes its totals only, not its ballots."),
    "invalid_choice": _l("This ballot is not valid."),
    "unknown_option": _l("This option is not part of the vote."),
    "duplicate_option": _l("An option appears twice on this ballot."),
    "too_many_choices": _l("Too many options chosen."),
    "invalid_mention": _l("Mentions go from Reject to Very good."),
    "invalid_ballot_id": _l("The ballot identifier is not valid."),
    "invalid_title": _l("Give a title of at most 200 characters."),
    "invalid_question": _l("Give a question of at most 280 characters."),
    "invalid_options": _l("Give between 2 and 20 different options (none for a yes/no vote)."),
    "invalid_max_choices": _l("The number of choices allowed does not fit this vote."),
    "invalid_quorum": _l("The quorum must be at least 1."),
    "unknown_consultation": _l("This consultation does not exist."),
    "agenda_item_not_in_assembly": _l("This agenda item belongs to another assembly."),
    "proposal_not_in_consultation": _l("This proposal belongs to another consultation."),
    "join_code_required": _l("Enter the code shown in the room to join the assembly."),
    "paper_method_not_supported": _l("Paper ballots cannot be entered for a ranking vote yet."),
    "invalid_paper_count": _l("Enter a whole number, zero or more."),
    "paper_count_above_ballots": _l("An option cannot get more votes than there are paper ballots."),
    "paper_sum_not_ballots": _l("The votes per option must add up to the number of paper ballots."),
    "paper_too_many_choices": _l("There are more votes than the paper ballots allow."),
    "paper_profile_not_ballots": _l("The mentions of each option must add up to the number of paper ballots."),
    "not_official": _l("Only the elected officials of this consultation can do this."),
    "justification_required": _l("A justification is required when the proposal is not accepted or partially "
                                 "accepted."),
    "partner_required": _l("Name the partner the proposal is referred to."),
    "synthesis_not_sent": _l("This synthesis has not been sent to the elected officials."),
    "transition_not_allowed": _l("This change of status is not allowed from the current status."),
}

STATUS_BY_CLASS: dict[str, int] = {}


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str | None = None, *, fields: dict | None = None,
                 status: int | None = None):
        super().__init__(code)
        self.code = code
        self._message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        if self._message is not None:
            return str(self._message)
        return str(MESSAGES.get(self.code, MESSAGES["bad_request"]))

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = {name: [str(m) for m in messages] for name, messages in self.fields.items()}
        return body


class NotFound(DomainError):
    status = 404

    def __init__(self, code: str = "not_found", message: str | None = None, **kwargs):
        super().__init__(code, message, **kwargs)


class Forbidden(DomainError):
    status = 403


class Unauthenticated(DomainError):
    status = 401

    def __init__(self, code: str = "authentication_required", message: str | None = None, **kwargs):
        super().__init__(code, message, **kwargs)


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    """Well-formed input that breaks a rule (422)."""

    status = 422


class RateLimited(DomainError):
    status = 429


def enforce(refusal: str | None, *, messages: Mapping[str, object] | None = None,
            conflicts: Collection[str] = ()) -> None:
    """Raise the error of a policy's refusal code; nothing when the policy allowed it (None).

    401 for authentication_required, 409 for `conflicts` (the state of the target refuses, not who asks), 403
    otherwise; the message is the module's own (`messages`) or the shared one of MESSAGES."""
    if refusal is None:
        return
    if refusal == "authentication_required":
        raise Unauthenticated()
    kind = Conflict if refusal in conflicts else Forbidden
    message = (messages or {}).get(refusal)
    raise kind(refusal, str(message) if message is not None else None)


def require(condition: bool, code: str = "forbidden", message: str | None = None) -> None:
    """Refuse with 403 unless `condition` holds; how services enforce policies."""
    if not condition:
        raise Forbidden(code, message)


def get_or_404(model, ident):
    from deliberation.extensions import db

    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None:
        raise NotFound()
    return obj
