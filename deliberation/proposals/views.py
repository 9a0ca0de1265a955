"""HTML pages of proposals: list and search, submit, show with supports and comments, edit, withdraw."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from deliberation.core.errors import MESSAGES, DomainError, Invalid, NotFound
from deliberation.core.transaction import unit_of_work
from deliberation.proposals import policies, services
from deliberation.proposals.forms import CommentForm, EditProposalForm, ProposalFilterForm, ProposalForm
from deliberation.proposals.models import ProposalStatus
from deliberation.proposals.services.common import enforce
from deliberation.web.pagination import clamp_page

bp = Blueprint("proposals", __name__)

RANDOM_SEED_KEY = "proposals_seed"


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _consultation(consultation_id: int):
    return services.get_listed_consultation(consultation_id, _viewer())


def _proposal(proposal_id: int):
    proposal = services.get_proposal(proposal_id)
    if not policies.can_see_page(_viewer(), proposal):
        raise NotFound()
    return proposal


def _page_number() -> tuple[int, int]:
    return clamp_page(request.args.get("page", type=int), None,
                      default_per_page=current_app.config["PROPOSALS_PER_PAGE"],
                      max_per_page=current_app.config["PROPOSALS_MAX_PER_PAGE"])


def _show_errors(form, error: Invalid) -> None:
    """Field errors next to their fields; anything else (a field the form does not show) as a flash."""
    for name, messages in error.fields.items():
        field = form._fields.get(name)
        if field is not None and field.type not in ("HiddenField", "CSRFTokenField"):
            field.errors = [*field.errors, *messages]
        else:
            for message in messages:
                flash(str(message), "error")
    if not error.fields:
        flash(error.message, "error")


@bp.get("/consultations/<int:consultation_id>/proposals")
def index(consultation_id: int):
    consultation = _consultation(consultation_id)
    form = ProposalFilterForm(request.args)
    form.set_choices(consultation)
    filters = form.valid_filters()
    seed = None
    if filters["sort"] == "random":
        # One order per visitor, kept for their whole visit, so the pages do not overlap.
        seed = session.setdefault(RANDOM_SEED_KEY, services.new_random_seed())
    page, per_page = _page_number()
    result = services.list_proposals(consultation, viewer=_viewer(), seed=seed, page=page, per_page=per_page,
                                     **filters)
    link_args = {name: value for name, value in filters.items() if value}
    # Lists and sort chosen (or refused) stay unfolded, so the visitor sees what narrows the list.
    narrowed = (any(filters[name] for name in ("area_id", "priority_id", "kind", "status"))
                or filters["sort"] != "recent" or any(field.errors for field in form if field.name != "q"))
    return render_template("proposals/index.html", consultation=consultation, form=form, page=result,
                           link_args=link_args, filtered=any(v for k, v in filters.items() if k != "sort"),
                           narrowed=narrowed)


@bp.route("/consultations/<int:consultation_id>/proposals/new", methods=["GET", "POST"])
@login_required
def new(consultation_id: int):
    consultation = _consultation(consultation_id)
    actor = _viewer()
    enforce(policies.submit_refusal(actor, consultation))
    for_resident = policies.can_submit_for_resident(actor, consultation)
    form = ProposalForm()
    form.set_choices(consultation, policies.open_kinds(consultation), for_resident=for_resident)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                proposal = services.submit_proposal(
                    consultation, actor, title=form.title.data, body=form.body.data, kind=form.kind.data,
                    area_id=form.area_id.data, priority_id=form.priority_id.data,
                    for_resident_name=form.for_resident_name.data if for_resident else None,
                    resident_consent=form.resident_consent.data if for_resident else False,
                )
        except Invalid as error:
            _show_errors(form, error)
        else:
            if proposal.is_public:
                flash(_("Thank you, your contribution is published."), "success")
            else:
                flash(_("Thank you. Your contribution will be published once a moderator has read it."),
                      "success")
            return redirect(url_for(".show", proposal_id=proposal.id))
    status = 422 if form.is_submitted() else 200
    return render_template("proposals/new.html", consultation=consultation, form=form,
                           for_resident=for_resident), status


@bp.get("/proposals/<int:proposal_id>")
def show(proposal_id: int):
    proposal = _proposal(proposal_id)
    if proposal.status == ProposalStatus.MERGED:
        redirect_to = _merged_redirect(proposal)
        if redirect_to is not None:
            return redirect_to
    return _render_show(proposal)


def _merged_redirect(proposal):
    """A merged proposal's old address leads to the one kept (302: a merge is a moderation decision, which an
    appeal may revisit), with a notice saying why."""
    from deliberation.moderation.merge import final_destination

    kept = final_destination(proposal)
    if kept is None or not policies.can_see_page(_viewer(), kept):
        return None
    flash(_("Contribution no. %(id)s was merged into this one by moderation: its supports and comments are "
            "here.", id=proposal.id), "info")
    return redirect(url_for(".show", proposal_id=kept.id), code=302)


def _render_show(proposal, bound_form: CommentForm | None = None, status: int = 200):
    """The proposal page; `bound_form` is a comment form sent with errors (a reply when it has parent_id)."""
    viewer = _viewer()
    readable = policies.can_view(viewer, proposal)
    is_reply = bound_form is not None and bound_form.parent_id.data is not None
    from deliberation.moderation import policies as moderation_policies
    from deliberation.moderation import services as moderation

    context = {
        "proposal": proposal, "readable": readable,
        "is_moderator": moderation_policies.is_moderator_of(viewer, proposal.consultation_id),
        "hide_decision": moderation.latest_hide("proposal", proposal.id) if proposal.status == "hidden" else None,
        "comment_decisions": {},
        "comment_form": bound_form if bound_form is not None and not is_reply else CommentForm(formdata=None),
        "reply_form": bound_form if is_reply else None,
    }
    if readable:
        context.update(
            supported=services.has_supported(proposal, viewer),
            summary=services.stance_summary(proposal),
            comments=services.comment_tree(proposal),
        )
        hidden_comments = services.hidden_comment_ids(proposal)
        context["comment_decisions"] = moderation.hide_decisions_for("comment", hidden_comments)
        context.update(_merge_context(viewer, proposal))
    return render_template("proposals/show.html", **context), status


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    proposal = _proposal(proposal_id)
    actor = _viewer()
    enforce(policies.edit_refusal(actor, proposal))
    form = EditProposalForm(obj=proposal)
    form.set_choices(proposal.consultation)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                services.edit_proposal(proposal, actor, title=form.title.data, body=form.body.data,
                                       area_id=form.area_id.data, priority_id=form.priority_id.data)
        except Invalid as error:
            _show_errors(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".show", proposal_id=proposal.id))
    status = 422 if form.is_submitted() else 200
    return render_template("proposals/edit.html", proposal=proposal, form=form), status


def _act(proposal_id: int, action):
    """POST actions without a form: run the service, flash what happened, back to the proposal (PRG).
    `action(proposal, actor)` returns the message to show."""
    proposal = _proposal(proposal_id)
    try:
        with unit_of_work():
            message, category = action(proposal, _viewer())
    except DomainError as error:
        message, category = error.message, "error"
    flash(message, category)
    return redirect(url_for(".show", proposal_id=proposal.id))


def _withdraw(proposal, actor):
    services.withdraw_proposal(proposal, actor)
    return _("Your proposal is withdrawn."), "success"


def _support(proposal, actor):
    _support_row, created = services.support_proposal(proposal, actor)
    if created:
        return _("Thank you for your support."), "success"
    return str(MESSAGES["already_supported"]), "info"


def _unsupport(proposal, actor):
    if services.withdraw_support(proposal, actor):
        return _("Your support is withdrawn."), "success"
    return str(MESSAGES["not_supported"]), "info"


@bp.post("/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw(proposal_id: int):
    return _act(proposal_id, _withdraw)


@bp.post("/proposals/<int:proposal_id>/support")
@login_required
def support(proposal_id: int):
    return _act(proposal_id, _support)


@bp.post("/proposals/<int:proposal_id>/unsupport")
@login_required
def unsupport(proposal_id: int):
    return _act(proposal_id, _unsupport)


@bp.post("/proposals/<int:proposal_id>/comments")
@login_required
def comment(proposal_id: int):
    proposal = _proposal(proposal_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                posted = services.post_comment(proposal, _viewer(), body=form.body.data,
                                               stance=form.stance.data, parent_id=form.parent_id.data)
        except Invalid as error:
            _show_errors(form, error)
        except DomainError as error:
            flash(error.message, "error")
            # The form posted to …#comment-form; without a fragment of its own the redirect would keep that
            # one and hide the flash message at the top of the page.
            return redirect(url_for(".show", proposal_id=proposal.id, _anchor="main"))
        else:
            flash(_("Your comment is published."), "success")
            return redirect(url_for(".show", proposal_id=proposal.id, _anchor=f"comment-{posted.id}"))
    return _render_show(proposal, bound_form=form, status=422)


@bp.get("/my/proposals")
@login_required
def mine():
    page, per_page = _page_number()
    result = services.list_my_proposals(_viewer(), page=page, per_page=per_page)
    return render_template("proposals/mine.html", page=result)


def _merge_context(viewer, proposal) -> dict:
    """What the page shows of merges: the contributions merged into this one, and for its moderators the form
    merging this one into another of the consultation."""
    from deliberation.moderation import merge
    from deliberation.moderation import policies as moderation_policies
    from deliberation.moderation.models import ReportTargetType
    from deliberation.moderation.targets import Target

    context = {"merged_from": merge.merged_into(proposal), "merge_candidates": None}
    target = Target(ReportTargetType.PROPOSAL, proposal)
    if proposal.status in merge.MERGEABLE_STATUSES and moderation_policies.can_decide(viewer, target):
        context["merge_candidates"] = merge.merge_candidates(proposal, limit=200)
    return context
