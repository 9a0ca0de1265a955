"""API: live assemblies and their polls (shared/API.md). Thin adapters over assemblies.services.

Besides the rows of API.md, two calls serve clients without a socket: joining (`POST /assemblies/join`) and
voting (`POST /polls/{id}/votes` with the `X-Device-Token` header), with the same rules as the `/live`
namespace.
"""

from __future__ import annotations

from functools import wraps

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from deliberation.api.common import ErrorSchema, actor_or_none, require_user
from deliberation.assemblies import policies, services
from deliberation.assemblies.models import Assembly, Poll
from deliberation.assemblies.schemas import (
    AssemblySchema,
    CastVoteSchema,
    CreateAssemblySchema,
    CreatePollSchema,
    JoinAssemblySchema,
    JoinedSchema,
    LogEntrySchema,
    PollSchema,
    PollStateSchema,
    ResultsSchema,
    VoteReceiptSchema,
)
from deliberation.consultations.models import Consultation
from deliberation.core.errors import MESSAGES, Invalid, NotFound
from deliberation.core.transaction import retry_when_locked, unit_of_work
from deliberation.extensions import db

bp = Blueprint("api_assemblies", __name__, url_prefix="/api/v1", description="live assemblies and polls")

DEVICE_HEADER = "X-Device-Token"
ASSEMBLY_FIELDS = ("id", "title", "consultation_id", "mode", "state", "starts_at", "join_code",
                   "requires_sign_in", "quorum")


def signed_in(view):
    """401 before anything else (even before the body is validated) for anonymous callers."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)

    return wrapper


def _assembly_body(assembly: Assembly) -> dict:
    body = {name: getattr(assembly, name) for name in ASSEMBLY_FIELDS}
    body["polls"] = services.list_polls(assembly, actor_or_none())
    return body


def _visible_poll(poll_id: int) -> Poll:
    poll = services.get_poll(poll_id)
    if not policies.can_view_poll(actor_or_none(), poll):
        raise NotFound()
    return poll


def _device_participant(poll: Poll, *, required: bool):
    token = request.headers.get(DEVICE_HEADER)
    if not token and not required:
        return None
    if required:
        return services.participant_for_device(poll.assembly, token)
    return services.find_participant(poll.assembly, token)


@bp.route("/assemblies")
class Assemblies(MethodView):
    @signed_in
    @bp.arguments(CreateAssemblySchema)
    @bp.response(201, AssemblySchema)
    @bp.alt_response(401, schema=ErrorSchema, description="not signed in")
    @bp.alt_response(403, schema=ErrorSchema, description="not a facilitator (of that consultation)")
    def post(self, data):
        """Create an assembly (facilitators): answers its id and join code."""
        actor = require_user()
        consultation = None
        if data["consultation_id"] is not None:
            consultation = db.session.get(Consultation, data["consultation_id"])
            if consultation is None:
                raise Invalid("unknown_consultation",
                              fields={"consultation_id": [str(MESSAGES["unknown_consultation"])]})
        with unit_of_work():
            assembly = services.create_assembly(
                actor, title=data["title"], consultation=consultation, mode=data["mode"],
                starts_at=data["starts_at"], requires_sign_in=data["requires_sign_in"], quorum=data["quorum"])
        return _assembly_body(assembly)


@bp.route("/assemblies/join")
class JoinAssembly(MethodView):
    @bp.arguments(JoinAssemblySchema)
    @bp.response(200, JoinedSchema)
    @bp.alt_response(401, schema=ErrorSchema, description="sign_in_required")
    @bp.alt_response(404, schema=ErrorSchema, description="unknown_join_code")
    @bp.alt_response(409, schema=ErrorSchema, description="assembly_ended")
    def post(self, data):
        """Join with the code on the screen (for clients without a socket).

        Answers `{assembly: {id, title}, participant: {device_token}}`: keep the token and send it back as
        `device_token` to come back as the same participant, and in the `X-Device-Token` header to vote. An
        assembly that requires sign-in reads the bearer token (or session) and gives the same participant
        whatever the device.
        """
        with unit_of_work():
            participant, token = services.join_assembly(data["join_code"], device_token=data["device_token"],
                                                        user=actor_or_none())
        assembly = participant.assembly
        return {"assembly": {"id": assembly.id, "title": assembly.title},
                "participant": {"device_token": token}}


@bp.route("/assemblies/<int:assembly_id>")
class AssemblyResource(MethodView):
    @bp.response(200, AssemblySchema)
    @bp.alt_response(404, schema=ErrorSchema)
    def get(self, assembly_id: int):
        """One assembly: title, state, join code and its polls (draft polls only for its facilitators)."""
        return _assembly_body(services.get_assembly(assembly_id))


@bp.route("/assemblies/<int:assembly_id>/polls")
class AssemblyPolls(MethodView):
    @signed_in
    @bp.arguments(CreatePollSchema)
    @bp.response(201, PollSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema)
    @bp.alt_response(404, schema=ErrorSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="assembly_ended")
    def post(self, data, assembly_id: int):
        """Create a draft poll (facilitators). yes_no polls get the options yes, no, abstain."""
        actor = require_user()
        assembly = services.get_assembly(assembly_id)
        agenda_item = None
        if data["agenda_item_id"] is not None:
            agenda_item = next((item for item in assembly.agenda_items if item.id == data["agenda_item_id"]),
                               None)
            if agenda_item is None:
                raise Invalid("agenda_item_not_in_assembly",
                              fields={"agenda_item_id": [str(MESSAGES["agenda_item_not_in_assembly"])]})
        with unit_of_work():
            poll = services.create_poll(
                assembly, actor, question=data["question"], method=data["method"], options=data["options"],
                max_choices=data["max_choices"], results_visibility=data["results_visibility"],
                totals_only=data["totals_only"], agenda_item=agenda_item)
        return poll


@bp.route("/polls/<int:poll_id>/open")
class OpenPoll(MethodView):
    @signed_in
    @bp.response(200, PollStateSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="poll_closed, assembly_ended")
    def post(self, poll_id: int):
        """Open a draft poll (facilitators). Opening an open poll changes nothing."""
        actor = require_user()
        poll = services.get_poll(poll_id)
        with unit_of_work():
            services.open_poll(poll, actor)
        return poll


@bp.route("/polls/<int:poll_id>/close")
class ClosePoll(MethodView):
    @signed_in
    @bp.response(200, PollStateSchema)
    @bp.alt_response(401, schema=ErrorSchema)
    @bp.alt_response(403, schema=ErrorSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="poll_not_open (a draft)")
    def post(self, poll_id: int):
        """Close a poll (facilitators). Closing twice changes nothing."""
        actor = require_user()
        poll = services.get_poll(poll_id)
        with unit_of_work():
            services.close_poll(poll, actor)
        return poll


@bp.route("/polls/<int:poll_id>/results")
class PollResults(MethodView):
    @bp.response(200, ResultsSchema)
    @bp.alt_response(404, schema=ErrorSchema)
    def get(self, poll_id: int):
        """The results, where the poll's visibility allows; otherwise `results: null, results_hidden: true`.

        For an after_vote poll, send the `X-Device-Token` header: the results show once this device voted.
        """
        poll = _visible_poll(poll_id)
        return services.poll_results(poll, viewer_participant=_device_participant(poll, required=False),
                                     viewer=actor_or_none())


@bp.route("/polls/<int:poll_id>/ballots")
class PollBallots(MethodView):
    @bp.response(200, LogEntrySchema(many=True))
    @bp.alt_response(404, schema=ErrorSchema, description="ballot_log_not_published (totals-only poll)")
    @bp.alt_response(409, schema=ErrorSchema, description="poll_not_closed")
    def get(self, poll_id: int):
        """The ballot log, oldest first, once the poll is closed: anyone can check the chain and recount.

        Each receipt is the SHA-256 of the canonical JSON of {previous, poll_id, ballot_id, choice} (plus
        replaces when not null); a changed ballot `replaces` the receipt it supersedes.
        """
        return services.ballot_log(_visible_poll(poll_id))


@bp.route("/polls/<int:poll_id>/votes")
class PollVotes(MethodView):
    @bp.arguments(CastVoteSchema)
    @bp.response(201, VoteReceiptSchema)
    @bp.alt_response(200, schema=VoteReceiptSchema, description="this ballot_id was already stored")
    @bp.alt_response(401, schema=ErrorSchema, description="unknown_device: join first")
    @bp.alt_response(409, schema=ErrorSchema, description="poll_closed, poll_not_open")
    @bp.alt_response(422, schema=ErrorSchema,
                     description="invalid_choice, unknown_option, duplicate_option, too_many_choices, "
                                 "invalid_mention, invalid_ballot_id")
    def post(self, data, poll_id: int):
        """Vote (for clients without a socket), with the device token from joining in `X-Device-Token`.

        `ballot_id` is a UUID made by the client: sending the same one again answers 200 with the same
        receipt and counts once. A new ballot_id replaces the device's previous ballot (the last counts).
        """
        def vote():
            poll = services.lock_poll(poll_id)  # first, so that the SQLite transaction reads nothing stale
            if not policies.can_view_poll(actor_or_none(), poll):
                raise NotFound()
            participant = _device_participant(poll, required=True)
            return services.submit_ballot(poll, participant, ballot_id=data["ballot_id"], choice=data["choice"])

        receipt, created = retry_when_locked(vote)
        return {"ok": True, "receipt": receipt}, 201 if created else 200
