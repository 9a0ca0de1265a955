"""The audit log for administrators: entries newest first with filters, whether the hash chain holds, and the
whole chain exported as CSV or JSON so that anyone can recompute it (deliberation/core/audit.py)."""

from __future__ import annotations

import csv
import io
import json

from flask import Response, abort, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from deliberation.accounts import audit_checkpoint, audit_queries, policies
from deliberation.accounts.models import User
from deliberation.accounts.views import bp
from deliberation.core import audit
from deliberation.extensions import db
from deliberation.web.access import restricted_to

ENTRIES_PER_PAGE = 50
admin_only = restricted_to(policies.can_view_admin)

# What each recorded action means; an action missing here is shown by its code.
ACTION_LABELS = {
    "account_deleted": _l("Account deleted"),
    "agenda_item_added": _l("Agenda item added"),
    "area_created": _l("Priority area created"),
    "area_updated": _l("Priority area updated"),
    "assembly_created": _l("Assembly created"),
    "assembly_ended": _l("Assembly ended"),
    "assembly_started": _l("Assembly started"),
    "consultation_created": _l("Consultation created"),
    "consultation_updated": _l("Consultation updated"),
    "contract_created": _l("City contract created"),
    "contract_updated": _l("City contract updated"),
    "demo_seeded": _l("Demo data loaded"),
    "moderation_appeal_opened": _l("Moderation: decision contested"),
    "moderation_appeal_overturned": _l("Moderation: appeal granted, decision lifted"),
    "moderation_appeal_upheld": _l("Moderation: appeal rejected, decision upheld"),
    "moderation_block": _l("Moderation: account blocked"),
    "moderation_charter_published": _l("Moderation charter: new version"),
    "moderation_dismiss": _l("Moderation: reports dismissed"),
    "moderation_hidden_automatically": _l("Moderation: hidden automatically after reports"),
    "moderation_hide": _l("Moderation: content hidden"),
    "moderation_merge": _l("Moderation: proposals merged"),
    "moderation_publish": _l("Moderation: content published"),
    "moderation_restore": _l("Moderation: content restored"),
    "moderation_unblock": _l("Moderation: account unblocked"),
    "organisation_created": _l("Organisation created"),
    "organisation_updated": _l("Organisation updated"),
    "paper_ballots_recorded": _l("Paper ballots entered"),
    "phase_added": _l("Phase added"),
    "phase_removed": _l("Phase removed"),
    "phase_updated": _l("Phase updated"),
    "poll_closed": _l("Poll closed"),
    "poll_created": _l("Poll created"),
    "poll_opened": _l("Poll opened"),
    "priority_created": _l("Priority created"),
    "priority_updated": _l("Priority updated"),
    "proposal_submitted_for_resident": _l("Proposal submitted on behalf of a resident"),
    "question_accepted": _l("Question accepted"),
    "question_answered": _l("Question marked as answered"),
    "question_attached": _l("Question attached to an agenda item"),
    "question_hidden": _l("Question hidden"),
    "question_moderation_changed": _l("Question moderation changed"),
    "question_put_on_screen": _l("Question put on screen"),
    "question_restored": _l("Question restored"),
    "question_taken_off_screen": _l("Question taken off screen"),
    "role_granted": _l("Role granted"),
    "role_revoked": _l("Role removed"),
    "speaker_called": _l("Speaker called"),
    "speaker_done": _l("Speaker finished"),
    "timer_paused": _l("Countdown paused"),
    "timer_resumed": _l("Countdown resumed"),
    "timer_started": _l("Countdown started"),
    "timer_stopped": _l("Countdown stopped"),
    "user_created_cli": _l("Account created from the command line"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _actor_names(ids) -> dict[int, str]:
    ids = {ident for ident in ids if ident is not None}
    if not ids:
        return {}
    return {user.id: user.public_name for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.get("/admin/audit")
@admin_only
def admin_audit():
    actions = audit_queries.logged_actions()
    action = request.args.get("action", "").strip()
    action = action if action in actions else ""
    actor_id = request.args.get("actor", type=int)
    actors = _actor_names(audit_queries.logged_actor_ids())
    actor_id = actor_id if actor_id in actors else None
    page_number = max(request.args.get("page", 1, type=int) or 1, 1)
    page = audit_queries.list_entries(action=action or None, actor_id=actor_id, page=page_number,
                              per_page=ENTRIES_PER_PAGE)
    chain = audit_checkpoint.check()
    return render_template(
        # Only what was appended since the last visit's check (audit_checkpoint), and the page says so
        # (chain.trusted_up_to); `deliberation audit verify` checks the whole chain.
        "accounts/admin_audit.html", page=page, broken=chain.broken, chain=chain, head=audit.chain_head(),
        action=action, actor_id=actor_id, actions=sorted(actions, key=action_label),
        actors=sorted(actors.items(), key=lambda item: item[1].casefold()), actor_names=actors,
        action_label=action_label, canonical_json=audit.canonical_json,
    )


@bp.get("/admin/audit/export")
@admin_only
def admin_audit_export():
    """The whole chain, oldest first: CSV (one row per entry, `details` as canonical JSON) or JSON
    ({"genesis", "length", "last_hash", "columns", "entries"}). Columns: audit.EXPORT_COLUMNS, `at` exactly as
    hashed. In the CSV an empty actor_id or target_id stands for null (target_type "" is an empty string)."""
    export_format = request.args.get("format", "csv")
    if export_format not in ("csv", "json"):
        abort(404)
    rows = [audit.export_row(row) for row in audit.iter_chain()]
    if export_format == "json":
        length, last_hash = audit.chain_head()
        body = json.dumps({"genesis": audit.GENESIS, "length": length, "last_hash": last_hash,
                           "columns": list(audit.EXPORT_COLUMNS), "entries": rows}, ensure_ascii=False, indent=1)
        return Response(body, mimetype="application/json",
                        headers={"Content-Disposition": "attachment; filename=audit-log.json"})
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(audit.EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([audit.canonical_json(row[column]) if column == "details" else
                         ("" if row[column] is None else row[column]) for column in audit.EXPORT_COLUMNS])
    return Response(output.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit-log.csv"})
