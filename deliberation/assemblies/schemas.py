"""Marshmallow schemas of assemblies and polls: <Thing>Schema out, <Verb><Thing>Schema in (API, later sockets)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from deliberation.assemblies.models import (
    OPTION_LABEL_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AssemblyMode,
    AssemblyState,
    PollState,
    ResultsVisibility,
)
from deliberation.assemblies.services.participants import DEVICE_TOKEN_MAX_LENGTH
from deliberation.assemblies.services.polls import MAX_OPTIONS
from deliberation.assemblies.voting import PollMethod

ID = validate.Range(min=1, max=2**31 - 1)
OPTION_ID = fields.Raw(metadata={"description": "an integer, or yes / no / abstain for yes_no polls"})


class CreateAssemblySchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX_LENGTH))
    consultation_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    starts_at = fields.AwareDateTime(load_default=None, allow_none=True)
    requires_sign_in = fields.Boolean(load_default=False)
    mode = fields.Enum(AssemblyMode, by_value=True, load_default=AssemblyMode.IN_PERSON)
    quorum = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=1_000_000))


class PollSummarySchema(Schema):
    id = fields.Integer()
    question = fields.String()
    method = fields.Enum(PollMethod, by_value=True)
    state = fields.Enum(PollState, by_value=True)
    results_visibility = fields.Enum(ResultsVisibility, by_value=True)
    total_ballots = fields.Integer(attribute="ballot_count")


class AssemblySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    consultation_id = fields.Integer(allow_none=True)
    mode = fields.Enum(AssemblyMode, by_value=True)
    state = fields.Enum(AssemblyState, by_value=True)
    starts_at = fields.AwareDateTime(allow_none=True)
    join_code = fields.String()
    requires_sign_in = fields.Boolean()
    quorum = fields.Integer(allow_none=True)
    polls = fields.List(fields.Nested(PollSummarySchema),
                        metadata={"description": "the polls the caller may see (drafts: facilitators only)"})


class PollOptionSchema(Schema):
    id = fields.Raw(attribute="public_id",
                    metadata={"description": "what a choice names: an integer, or yes / no / abstain"})
    label = fields.String(attribute="display_label")


class CreatePollSchema(Schema):
    question = fields.String(required=True, validate=validate.Length(min=1, max=QUESTION_MAX_LENGTH))
    method = fields.Enum(PollMethod, by_value=True, required=True)
    options = fields.List(fields.String(validate=validate.Length(min=1, max=OPTION_LABEL_MAX_LENGTH)),
                          load_default=None, validate=validate.Length(max=MAX_OPTIONS),
                          metadata={"description": "2–20 labels; none for yes_no (yes, no, abstain)"})
    max_choices = fields.Integer(load_default=None, allow_none=True,
                                 validate=validate.Range(min=1, max=MAX_OPTIONS))
    results_visibility = fields.Enum(ResultsVisibility, by_value=True, required=True)
    totals_only = fields.Boolean(load_default=False)
    agenda_item_id = fields.Integer(load_default=None, allow_none=True, validate=ID)


class PollSchema(Schema):
    id = fields.Integer()
    assembly_id = fields.Integer()
    question = fields.String()
    method = fields.Enum(PollMethod, by_value=True)
    max_choices = fields.Integer(allow_none=True)
    results_visibility = fields.Enum(ResultsVisibility, by_value=True)
    totals_only = fields.Boolean()
    state = fields.Enum(PollState, by_value=True)
    options = fields.List(fields.Nested(PollOptionSchema))


class PollStateSchema(Schema):
    id = fields.Integer()
    state = fields.Enum(PollState, by_value=True)


class ResultsSchema(Schema):
    poll_id = fields.Integer()
    state = fields.String()
    method = fields.String()
    options = fields.List(fields.Dict())
    total_ballots = fields.Integer()
    results = fields.Raw(allow_none=True, metadata={
        "description": "yes_no/single/multiple: [{option_id, label, count}]; majority_judgment: [{option_id, "
                       "label, merit_profile, majority_mention, gauge}]; ranking: {pairwise}; null while hidden"})
    ranking = fields.List(OPTION_ID, allow_none=True, metadata={
        "description": "best first, by the total (online + paper) results"})
    online = fields.Dict(allow_none=True, metadata={
        "description": "the online ballots alone: {total_ballots, results} (what the published log recounts); "
                       "null while hidden"})
    paper = fields.Dict(allow_none=True, metadata={
        "description": "the paper ballots counted in the room: {total_ballots, results, entered_by, entered_at}; "
                       "null when none were entered or while hidden. `results` and `total_ballots` are the total"})
    log_head = fields.String()
    results_hidden = fields.Boolean()
    verify_url = fields.String(allow_none=True, metadata={
        "description": "the public page that checks the chain and recounts the log (null in totals-only mode)"})


class LogEntrySchema(Schema):
    receipt = fields.String()
    previous = fields.String()
    ballot_id = fields.String()
    replaces = fields.String(allow_none=True)
    choice = fields.Raw(allow_none=True)


class JoinAssemblySchema(Schema):
    join_code = fields.String(required=True, validate=validate.Length(min=1, max=16))
    device_token = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=DEVICE_TOKEN_MAX_LENGTH))


class JoinedSchema(Schema):
    assembly = fields.Dict()
    participant = fields.Dict()


class CastVoteSchema(Schema):
    ballot_id = fields.String(required=True, metadata={"description": "a UUID made by the client"})
    choice = fields.Raw(required=True, allow_none=False, metadata={
        "description": '"yes" | "no" | "abstain"; an option id; a list of option ids; {option_id: 0–5}; '
                       "a list of option ids best first"})


class VoteReceiptSchema(Schema):
    ok = fields.Boolean()
    receipt = fields.String()
