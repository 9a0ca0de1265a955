"""The tables of the open data and their columns, each with a one-line description: the one declaration that
writes the files and renders the documentation page (/open-data)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Column:
    name: str
    description: object  # a lazy string


@dataclass(frozen=True)
class Table:
    name: str
    description: object
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _table(name: str, description, *columns: tuple[str, object]) -> Table:
    return Table(name, description, tuple(Column(*column) for column in columns))


TABLES: dict[str, Table] = {table.name: table for table in (
    _table(
        "proposals", _l("The contributions (proposals, observations, questions, testimonies) once published."),
        ("id", _l("Number of the contribution.")),
        ("kind", _l("Kind: proposal, observation, question or testimony.")),
        ("status", _l("Status: published, under_review, answered, in_progress, done, hidden, withdrawn or "
                      "merged.")),
        ("title", _l("Title; empty when the contribution is hidden, withdrawn or merged.")),
        ("body", _l("Text (Markdown); empty when the contribution is hidden, withdrawn or merged.")),
        ("area_code", _l("Official code of the neighbourhood (QPV) it concerns, if any.")),
        ("area_name", _l("Name of the neighbourhood it concerns, if any.")),
        ("priority_title", _l("Priority (enjeu) of the contract it concerns, if any.")),
        ("supports_count", _l("Number of supports.")),
        ("comments_count", _l("Number of comments.")),
        ("submitted_at", _l("Date and time it was submitted (ISO 8601, UTC).")),
        ("published_at", _l("Date and time it was published (ISO 8601, UTC).")),
        ("merged_into_id", _l("For a merged contribution: the number of the one it was merged into.")),
        ("moderation_reason", _l("For a hidden contribution: the public reason of the moderation decision.")),
        ("response_type", _l("Type of the public response of the elected officials, if any.")),
        ("url", _l("Address of its page.")),
    ),
    _table(
        "comments", _l("The comments on published contributions."),
        ("id", _l("Number of the comment.")),
        ("proposal_id", _l("Number of the contribution it comments on.")),
        ("parent_id", _l("Number of the comment it answers, if any.")),
        ("depth", _l("Level in the thread: 0, 1 or 2.")),
        ("stance", _l("Stance: for, against or neutral.")),
        ("status", _l("Status: published or hidden.")),
        ("body", _l("Text (Markdown); empty when the comment is hidden.")),
        ("moderation_reason", _l("For a hidden comment: the public reason of the moderation decision.")),
        ("created_at", _l("Date and time it was written (ISO 8601, UTC).")),
    ),
    _table(
        "polls", _l("The votes of the consultation's assemblies (consultative), once opened."),
        ("id", _l("Number of the vote.")),
        ("assembly_id", _l("Number of the assembly.")),
        ("assembly_title", _l("Title of the assembly.")),
        ("assembly_date", _l("Date and time the assembly started (ISO 8601, UTC).")),
        ("agenda_item_title", _l("Agenda item the vote belongs to, if any.")),
        ("question", _l("Question put to the vote.")),
        ("method", _l("Method: yes_no, single, multiple, majority_judgment or ranking.")),
        ("results_visibility", _l("When results are public: live, after_vote or after_close.")),
        ("totals_only", _l("true when only totals are published, without the ballot log.")),
        ("state", _l("State: open or closed.")),
        ("opened_at", _l("Date and time the vote opened (ISO 8601, UTC).")),
        ("closed_at", _l("Date and time the vote closed (ISO 8601, UTC).")),
        ("results_public", _l("true when the results are public (table poll_results).")),
        ("total_ballots", _l("Number of ballots, online and on paper; empty while the results are not public.")),
        ("log_head", _l("Last receipt of the ballot log, to check the log (closed votes with a log).")),
        ("verify_url", _l("Address of the page that checks the ballot log and recounts it.")),
    ),
    _table(
        "poll_results", _l("The results of each vote, one row per option, where they are public."),
        ("poll_id", _l("Number of the vote.")),
        ("option_id", _l("Identifier of the option (yes, no, abstain for a yes/no vote).")),
        ("option_label", _l("Label of the option.")),
        ("rank", _l("Rank of the option by the method's rule (1 = first).")),
        ("count", _l("Number of votes for the option (yes/no, single and multiple choice).")),
        ("majority_mention", _l("Majority judgment: majority mention, from 0 (Reject) to 5 (Very good).")),
        ("gauge", _l("Majority judgment: signed share that breaks ties between equal mentions.")),
        ("merit_profile", _l("Majority judgment: counts of each mention from Reject to Very good, as a JSON "
                             "list.")),
        ("pairwise", _l("Ranking: how many voters put this option above each other one, as a JSON object.")),
    ),
    _table(
        "ballots", _l("The ballot log of each closed vote (not for totals-only votes): anyone can recount."),
        ("poll_id", _l("Number of the vote.")),
        ("position", _l("Position in the log, from 0.")),
        ("receipt", _l("Receipt of the ballot: SHA-256 of the canonical JSON of previous, poll_id, ballot_id, "
                       "choice (and replaces).")),
        ("previous", _l("Receipt of the previous entry of the log.")),
        ("ballot_id", _l("Random identifier of the ballot, made by the voter's device.")),
        ("replaces", _l("Receipt of the ballot this one replaces (a changed vote), if any.")),
        ("choice", _l("The choice, as JSON.")),
    ),
    _table(
        "syntheses", _l("The published syntheses of the consultation."),
        ("id", _l("Number of the synthesis.")),
        ("title", _l("Title.")),
        ("assembly_id", _l("Number of the assembly it covers, if it covers one assembly only.")),
        ("version", _l("Version number of the text.")),
        ("published_at", _l("Date and time it was published (ISO 8601, UTC).")),
        ("body", _l("Text (Markdown), whose statements link to their sources.")),
        ("url", _l("Address of its page.")),
    ),
    _table(
        "synthesis_citations", _l("Which contributions, comments and votes each section of a synthesis cites."),
        ("synthesis_id", _l("Number of the synthesis.")),
        ("section_anchor", _l("Anchor of the section in the synthesis page.")),
        ("section_title", _l("Title of the section.")),
        ("target_type", _l("What is cited: proposal, comment or poll.")),
        ("target_id", _l("Number of what is cited.")),
        ("proposal_id", _l("Number of the contribution cited, or of the contribution of the comment cited.")),
    ),
    _table(
        "responses", _l("The public responses of the elected officials, to contributions or to synthesis "
                        "sections."),
        ("id", _l("Number of the response.")),
        ("proposal_id", _l("Number of the contribution answered, if any.")),
        ("synthesis_id", _l("Number of the synthesis whose section is answered, if any.")),
        ("section_anchor", _l("Anchor of the section answered, if any.")),
        ("type", _l("Type: accepted, partially_accepted, not_accepted, under_study, already_under_way, referred "
                    "or not_applicable.")),
        ("type_label", _l("Type, in words.")),
        ("justification", _l("Justification (Markdown).")),
        ("referred_to", _l("For a referred response: the competent partner.")),
        ("council_decision_number", _l("Number of the council decision (délibération) it refers to, if any.")),
        ("council_decision_body", _l("Council that took that decision.")),
        ("council_decision_date", _l("Date of that decision (ISO 8601).")),
        ("published_at", _l("Date and time it became public (ISO 8601, UTC).")),
    ),
    _table(
        "follow_ups", _l("The commitments taken in answer to contributions, and how far they are."),
        ("id", _l("Number of the commitment.")),
        ("title", _l("Title.")),
        ("description", _l("Description (Markdown).")),
        ("owner", _l("Who carries it: a service, a partner or a delegation.")),
        ("priority_title", _l("Priority (enjeu) of the contract it serves, if any.")),
        ("progress", _l("Progress, in percent.")),
        ("proposal_ids", _l("Numbers of the contributions it answers, separated by spaces.")),
        ("created_at", _l("Date and time it was created (ISO 8601, UTC).")),
        ("updated_at", _l("Date and time of its last change (ISO 8601, UTC).")),
        ("url", _l("Address of its page.")),
    ),
    _table(
        "follow_up_updates", _l("The dated steps of each commitment."),
        ("id", _l("Number of the step.")),
        ("follow_up_id", _l("Number of the commitment.")),
        ("happened_on", _l("Date the step happened (ISO 8601).")),
        ("progress", _l("Progress after this step, in percent.")),
        ("body", _l("What was done (Markdown).")),
        ("created_at", _l("Date and time it was written (ISO 8601, UTC).")),
    ),
    _table(
        "moderation_log", _l("The public moderation decisions of the consultation: never the hidden text, who "
                             "reported it or who decided."),
        ("id", _l("Number of the decision.")),
        ("decided_at", _l("Date and time of the decision (ISO 8601, UTC).")),
        ("target_type", _l("Kind of item: proposal, comment, question, or user for an account (never which).")),
        ("target_id", _l("Number of the item; empty for an account.")),
        ("action", _l("Decision: hide, restore, dismiss, merge, block or unblock.")),
        ("into_id", _l("For a merge: the number of the contribution kept.")),
        ("reason", _l("Reason code: spam, offensive, personal_data, off_topic, duplicate, electoral_propaganda, "
                      "illegal or automatic.")),
        ("reason_label", _l("Reason, in words.")),
        ("charter_rule", _l("Rule of the moderation charter applied, if any.")),
        ("public_note", _l("Public note of the moderation team, if any.")),
        ("automatic", _l("true when the platform decided by itself, after several reports.")),
    ),
)}
