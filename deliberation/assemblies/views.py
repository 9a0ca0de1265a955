"""Assembly pages. For now the QR code that takes a phone to the join page; the phone, console and screen
pages come with the Socket.IO increment."""

from __future__ import annotations

import io
from datetime import datetime

import segno
from flask import Blueprint, Response, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from deliberation.accounts.models import UserRole
from deliberation.assemblies import policies, services
from deliberation.assemblies.forms import (
    FIELD_OF_CODE,
    MENTION_LABELS,
    POLL_METHOD_LABELS,
    QUESTION_ACTION_LABELS,
    QUESTION_STATE_LABELS,
    RESULTS_VISIBILITY_LABELS,
    AgendaItemForm,
    AssemblyForm,
    AttachQuestionForm,
    CallSpeakerForm,
    PollForm,
    QuestionModerationForm,
    TimerForm,
    option_lines,
    paper_ballots_form,
    paper_counts,
)
from deliberation.assemblies.live.tallies import connected_count
from deliberation.assemblies.models import Assembly, AssemblyState, Poll, PollState, QuestionState, SpeakerState
from deliberation.assemblies.voting import PollMethod, gauge_parts
from deliberation.consultations import services as consultation_services
from deliberation.consultations.models import Consultation
from deliberation.core.errors import DomainError, Invalid, NotFound, require
from deliberation.core.transaction import unit_of_work
from deliberation.extensions import db
from deliberation.proposals.models import Proposal, ProposalStatus
from deliberation.web.access import current_actor, restricted_to
from deliberation.web.forms import form_status, save_form

bp = Blueprint("assemblies", __name__)


def join_url(assembly) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/j/{assembly.join_code}"


@bp.get("/assemblies/<int:assembly_id>/qr.svg")
def qr_code(assembly_id: int):
    """An SVG QR code of the join address, made here (no third-party service sees who joins)."""
    assembly = services.get_assembly(assembly_id)
    qr = segno.make(join_url(assembly), error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=8, border=4, xmldecl=False,
            title=_("QR code to join the assembly %(title)s with the code %(code)s",
                    title=assembly.title, code=assembly.join_code))
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# Facilitators: their assemblies, creating one, the console and its POST actions; the public screen.

def _is_facilitator(user) -> bool:
    return user.has_role_anywhere(UserRole.FACILITATOR)


facilitators_only = restricted_to(_is_facilitator)
signed_in_only = restricted_to(lambda user: True)


def _managed_assembly(assembly_id: int) -> Assembly:
    assembly = services.get_assembly(assembly_id)
    require(policies.can_manage_assembly(current_actor(), assembly), "forbidden")
    return assembly


def _poll_of(assembly: Assembly, poll_id: int) -> Poll:
    poll = services.get_poll(poll_id)
    if poll.assembly_id != assembly.id:
        raise NotFound()
    return poll


def _fields_named(save):
    """The service's refusals (codes without fields) next to the field they are about (forms.FIELD_OF_CODE)."""

    def wrapped():
        try:
            return save()
        except Invalid as error:
            field = FIELD_OF_CODE.get(error.code)
            if error.fields or field is None:
                raise
            raise Invalid(error.code, fields={field: [error.message]}) from error

    return wrapped


def percent(count: int, total: int) -> int:
    """A whole percentage, halves rounded up (as Math.round does in live-results.js)."""
    return (count * 200 + total) // (2 * total) if total else 0


bp.add_app_template_global(percent, "percent")
def format_gauge(mention_label: str, gauge_value: float) -> str:
    """ "Good +40%" in English, « Bien +40 % » in French (live-results.js writes the same from `gauge`)."""
    sign, share = gauge_parts(gauge_value)
    return _("%(mention)s %(sign)s%(percent)s %%", mention=mention_label, sign=sign, percent=share)


bp.add_app_template_global(format_gauge, "format_gauge")
bp.add_app_template_global(MENTION_LABELS, "mention_labels")


@bp.app_template_global("iso_datetime")
def iso_datetime(text: str | None) -> str:
    """A date sent as ISO 8601 text (the results JSON), in the reader's language."""
    return format_datetime(datetime.fromisoformat(text), "medium") if text else ""


@bp.get("/assemblies/")
@facilitators_only
def index():
    actor = current_actor()
    assemblies = db.session.scalars(select(Assembly).order_by(Assembly.created_at.desc(), Assembly.id.desc()))
    return render_template("assemblies/index.html",
                           assemblies=[a for a in assemblies if policies.can_manage_assembly(actor, a)])


def _consultation_choices(actor) -> list[tuple]:
    choices = [("", _("No consultation"))] if policies.can_create_assembly(actor, None) else []
    return choices + [(c.id, c.title) for c in consultation_services.list_all_consultations()
                      if policies.can_create_assembly(actor, c)]


@bp.route("/assemblies/new", methods=["GET", "POST"])
@facilitators_only
def new():
    actor = current_actor()
    form = AssemblyForm()
    form.consultation_id.choices = _consultation_choices(actor)

    def save():
        consultation = (db.session.get(Consultation, form.consultation_id.data)
                        if form.consultation_id.data is not None else None)
        return services.create_assembly(
            actor, title=form.title.data, consultation=consultation, mode=form.mode.data,
            starts_at=form.starts_at.data, requires_sign_in=form.requires_sign_in.data, quorum=form.quorum.data)

    assembly = save_form(form, _fields_named(save))
    if assembly is not None:
        flash(_("The assembly was created. Its join code is %(code)s.", code=assembly.join_code), "success")
        return redirect(url_for(".console", assembly_id=assembly.id))
    return render_template("assemblies/new.html", form=form), form_status()


def _agenda_form(assembly: Assembly) -> AgendaItemForm:
    form = AgendaItemForm(prefix="agenda")
    proposals = []
    if assembly.consultation_id is not None:
        proposals = db.session.scalars(select(Proposal).where(
            Proposal.consultation_id == assembly.consultation_id,
            Proposal.status.not_in((ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN, ProposalStatus.HIDDEN)))
            .order_by(Proposal.id))
    form.proposal_ids.choices = [(proposal.id, proposal.title) for proposal in proposals]
    return form


def _poll_form(assembly: Assembly) -> PollForm:
    form = PollForm(prefix="poll")
    form.agenda_item_id.choices = [("", _("No agenda item"))] + [
        (item.id, f"{item.position}. {item.title}") for item in assembly.agenda_items]
    return form


def _paper_forms(assembly: Assembly, sent: dict | None = None) -> dict:
    """The paper-ballot form of each open poll whose method paper supports (`sent`: a form shown again)."""
    forms = {}
    for poll in assembly.polls:
        if poll.state == PollState.OPEN and poll.method != PollMethod.RANKING:
            forms[poll.id] = (sent or {}).get(poll.id) or paper_ballots_form(poll, services.paper_batch(poll))
    return forms


def _render_console(assembly: Assembly, agenda_form: AgendaItemForm, poll_form: PollForm, status: int = 200,
                    paper_forms: dict | None = None):
    actor = current_actor()
    polls = [(poll, services.facilitator_results(poll, actor)) for poll in assembly.polls]
    response = make_response(render_template(
        "assemblies/console.html", assembly=assembly, polls=polls, agenda_form=agenda_form, poll_form=poll_form,
        paper_forms=_paper_forms(assembly, paper_forms), **_room_context(assembly),
        join_url=join_url(assembly), connected=connected_count(assembly.id), poll_method_labels=POLL_METHOD_LABELS,
        visibility_labels=RESULTS_VISIBILITY_LABELS), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/assemblies/<int:assembly_id>/console")
@signed_in_only
def console(assembly_id: int):
    assembly = _managed_assembly(assembly_id)
    return _render_console(assembly, _agenda_form(assembly), _poll_form(assembly))


def _act(assembly: Assembly, action, success: str, anchor: str = "main"):
    """A console button: one service call; a refusal (ended assembly, closed poll…) becomes a flash message."""
    try:
        with unit_of_work():
            action()
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(success, "success")
    return redirect(url_for(".console", assembly_id=assembly.id, _anchor=anchor))


@bp.post("/assemblies/<int:assembly_id>/start")
@signed_in_only
def start(assembly_id: int):
    assembly = _managed_assembly(assembly_id)
    return _act(assembly, lambda: services.start_assembly(assembly, current_actor()), _("The assembly is live."))


@bp.post("/assemblies/<int:assembly_id>/end")
@signed_in_only
def end(assembly_id: int):
    assembly = _managed_assembly(assembly_id)
    return _act(assembly, lambda: services.end_assembly(assembly, current_actor()), _("The assembly has ended."))


@bp.post("/assemblies/<int:assembly_id>/agenda")
@signed_in_only
def add_agenda_item(assembly_id: int):
    assembly = _managed_assembly(assembly_id)
    form = _agenda_form(assembly)

    def save():
        chosen = set(form.proposal_ids.data or [])
        proposals = [db.session.get(Proposal, proposal_id) for proposal_id in sorted(chosen)]
        return services.add_agenda_item(assembly, current_actor(), title=form.title.data, proposals=proposals)

    if save_form(form, _fields_named(save)) is not None:
        flash(_("The agenda item was added."), "success")
        return redirect(url_for(".console", assembly_id=assembly.id, _anchor="agenda"))
    return _render_console(assembly, form, _poll_form(assembly), 422)


@bp.post("/assemblies/<int:assembly_id>/polls")
@signed_in_only
def create_poll(assembly_id: int):
    assembly = _managed_assembly(assembly_id)
    form = _poll_form(assembly)

    def save():
        method = PollMethod(form.method.data)
        agenda_item = next((item for item in assembly.agenda_items if item.id == form.agenda_item_id.data), None)
        return services.create_poll(
            assembly, current_actor(), question=form.question.data, method=method,
            options=option_lines(form.options.data) if method != PollMethod.YES_NO else None,
            max_choices=form.max_choices.data if method == PollMethod.MULTIPLE else None,
            results_visibility=form.results_visibility.data, totals_only=form.totals_only.data,
            agenda_item=agenda_item)

    poll = save_form(form, _fields_named(save))
    if poll is not None:
        flash(_("The vote was created as a draft. Open it when the room is ready."), "success")
        return redirect(url_for(".console", assembly_id=assembly.id, _anchor=f"poll-{poll.id}"))
    return _render_console(assembly, _agenda_form(assembly), form, 422)


@bp.post("/assemblies/<int:assembly_id>/polls/<int:poll_id>/open")
@signed_in_only
def open_poll(assembly_id: int, poll_id: int):
    assembly = _managed_assembly(assembly_id)
    poll = _poll_of(assembly, poll_id)
    return _act(assembly, lambda: services.open_poll(poll, current_actor()), _("The vote is open."),
                f"poll-{poll.id}")


@bp.post("/assemblies/<int:assembly_id>/polls/<int:poll_id>/close")
@signed_in_only
def close_poll(assembly_id: int, poll_id: int):
    assembly = _managed_assembly(assembly_id)
    poll = _poll_of(assembly, poll_id)
    return _act(assembly, lambda: services.close_poll(poll, current_actor()), _("The vote is closed."),
                f"poll-{poll.id}")


@bp.post("/assemblies/<int:assembly_id>/polls/<int:poll_id>/paper")
@signed_in_only
def record_paper_ballots(assembly_id: int, poll_id: int):
    """The paper ballots counted in the room for one poll: the batch is entered again as a whole."""
    assembly = _managed_assembly(assembly_id)
    poll = _poll_of(assembly, poll_id)
    form = paper_ballots_form(poll)

    def save():
        counts, fields = paper_counts(form, poll)
        try:
            return services.record_paper_ballots(poll, current_actor(), counts=counts, ballots=form.ballots.data)
        except Invalid as error:
            raise Invalid(error.code, fields={fields.get(name, name): messages
                                              for name, messages in error.fields.items()}) from error
        except DomainError as error:  # the poll closed meanwhile: said above the form
            raise Invalid(error.code) from error

    if save_form(form, save) is not None:
        flash(_("The paper ballots were recorded."), "success")
        return redirect(url_for(".console", assembly_id=assembly.id, _anchor=f"poll-{poll.id}"))
    return _render_console(assembly, _agenda_form(assembly), _poll_form(assembly), 422, {poll.id: form})


# Questions from the room, speakers and timer: the console's POST fallbacks (the socket events do the same live).

def _room_context(assembly: Assembly) -> dict:
    """What the console shows of the questions, the speaker queue and the timer, with their forms."""
    moderation_form = QuestionModerationForm(prefix="moderation", data={"mode": assembly.question_moderation.value})
    return {"questions": services.list_questions(assembly), "speakers": services.list_speakers(assembly),
            "timer": services.timer_state(assembly), "moderation_form": moderation_form,
            "timer_form": TimerForm(prefix="timer"), "call_form": CallSpeakerForm(prefix="call"),
            "question_state_labels": QUESTION_STATE_LABELS, "question_action_labels": QUESTION_ACTION_LABELS,
            "question_actions": question_transitions(), "agenda_choices": agenda_choices(assembly)}


def question_transitions() -> dict[str, list[str]]:
    """The console's buttons for a question in each state, in the order shown (also in _room_strings.html)."""
    return {state.value: [action for action in QUESTION_ACTION_LABELS if state in services.QUESTION_ACTIONS[action][0]]
            for state in QuestionState}


def agenda_choices(assembly: Assembly) -> list[tuple]:
    return [("", _("No agenda item"))] + [(item.id, f"{item.position}. {item.title}") for item in assembly.agenda_items]


def _first_error(form) -> str:
    return next((str(message) for messages in form.errors.values() for message in messages),
                _("Some fields are not valid."))


@bp.post("/assemblies/<int:assembly_id>/questions/moderation")
@signed_in_only
def set_question_moderation(assembly_id: int):
    assembly = _managed_assembly(assembly_id)
    form = QuestionModerationForm(prefix="moderation")
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for(".console", assembly_id=assembly.id, _anchor="questions"))
    return _act(assembly, lambda: services.set_question_moderation(assembly, current_actor(), form.mode.data),
                _("The moderation of questions was changed."), "questions")


@bp.post("/assemblies/<int:assembly_id>/questions/<int:question_id>/agenda")
@signed_in_only
def attach_question(assembly_id: int, question_id: int):
    """Attach a question to an agenda item (its proposals), or detach it."""
    assembly = _managed_assembly(assembly_id)
    question = services.get_question(question_id, assembly)
    form = AttachQuestionForm()
    form.agenda_item_id.choices = agenda_choices(assembly)
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for(".console", assembly_id=assembly.id, _anchor="questions"))
    item = next((item for item in assembly.agenda_items if item.id == form.agenda_item_id.data), None)
    done = (_("The question is attached to the agenda item.") if item
            else _("The question is attached to no agenda item."))
    return _act(assembly, lambda: services.attach_question(question, current_actor(), item), done, "questions")


@bp.post("/assemblies/<int:assembly_id>/questions/<int:question_id>/<action>")
@signed_in_only
def moderate_question(assembly_id: int, question_id: int, action: str):
    assembly = _managed_assembly(assembly_id)
    if action not in QUESTION_ACTION_LABELS:
        raise NotFound()
    question = services.get_question(question_id, assembly)
    # Hide and restore are moderation decisions: the console's hide form sends the public reason (a missing one
    # is off_topic) and an optional public note; the service refuses an unknown reason.
    reason = (request.form.get("reason") or "").strip() or None
    note = request.form.get("note") or None
    return _act(assembly, lambda: services.moderate_question(question, current_actor(), action, reason=reason,
                                                             note=note),
                str(QUESTION_ACTION_LABELS[action][1]), "questions")


@bp.post("/assemblies/<int:assembly_id>/speakers/call")
@signed_in_only
def call_speaker(assembly_id: int):
    assembly = _managed_assembly(assembly_id)
    form = CallSpeakerForm(prefix="call")
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for(".console", assembly_id=assembly.id, _anchor="speakers"))
    return _act(assembly, lambda: services.call_speaker(assembly, current_actor(), request_id=form.request_id.data,
                                                        seconds=form.total_seconds()),
                _("The floor was given."), "speakers")


@bp.post("/assemblies/<int:assembly_id>/speakers/finish")
@signed_in_only
def finish_speaker(assembly_id: int):
    assembly = _managed_assembly(assembly_id)
    return _act(assembly, lambda: services.finish_speaker(assembly, current_actor()),
                _("The speaker has finished."), "speakers")


@bp.post("/assemblies/<int:assembly_id>/timer/start")
@signed_in_only
def start_timer(assembly_id: int):
    assembly = _managed_assembly(assembly_id)
    form = TimerForm(prefix="timer")
    if not form.validate_on_submit():
        flash(_first_error(form), "error")
        return redirect(url_for(".console", assembly_id=assembly.id, _anchor="timer"))
    return _act(assembly, lambda: services.start_timer(assembly, current_actor(), seconds=form.total_seconds() or 0,
                                                       label=form.label.data),
                _("The timer has started."), "timer")


TIMER_ACTIONS = {"pause": services.pause_timer, "resume": services.resume_timer, "stop": services.stop_timer}


@bp.post("/assemblies/<int:assembly_id>/timer/<action>")
@signed_in_only
def change_timer(assembly_id: int, action: str):
    assembly = _managed_assembly(assembly_id)
    if action not in TIMER_ACTIONS:
        raise NotFound()
    done = {"pause": _("The timer is paused."), "resume": _("The timer has resumed."),
            "stop": _("The timer is stopped.")}
    return _act(assembly, lambda: TIMER_ACTIONS[action](assembly, current_actor()), done[action], "timer")


def screen_poll(assembly: Assembly) -> Poll | None:
    """What the projector shows: the poll opened or closed last (a poll just closed stays up with its results
    and log head until another one opens or closes); drafts never."""
    shown = [poll for poll in assembly.polls if poll.state != PollState.DRAFT]

    def last_change(poll: Poll):
        moment = poll.closed_at if poll.state == PollState.CLOSED else poll.opened_at
        return (moment is not None, moment, poll.id)

    return max(shown, key=last_change) if shown else None


@bp.get("/assemblies/<int:assembly_id>/screen")
def screen(assembly_id: int):
    """The projector screen: public, the public visibility rules (after_close holds here too)."""
    assembly = services.get_assembly(assembly_id)
    poll = screen_poll(assembly)
    questions = services.list_questions(assembly)
    speakers = services.list_speakers(assembly)
    response = make_response(render_template(
        "assemblies/screen.html", assembly=assembly, poll=poll, join_url=join_url(assembly),
        results=services.poll_results(poll) if poll is not None else None,
        on_screen=next((q for q in questions if q.state == QuestionState.ON_SCREEN), None),
        hidden_count=sum(q.state == QuestionState.HIDDEN for q in questions),
        speaker=next((s for s in speakers if s.state == SpeakerState.SPEAKING), None),
        waiting_count=sum(s.state == SpeakerState.WAITING for s in speakers), timer=services.timer_state(assembly)))
    response.headers["Cache-Control"] = "no-store"
    return response


# The phone page: where the QR code and the join code lead.

@bp.get("/j/<code>")
def join_short(code: str):
    """The short address printed under the QR code: normalised, then on to the phone page."""
    assembly = services.find_assembly_by_code(code)
    if assembly is None:
        raise NotFound("unknown_join_code")
    return redirect(url_for("assemblies.join", code=assembly.join_code))


@bp.get("/assemblies/join/<code>")
def join(code: str):
    """The phone page. The live vote itself runs over Socket.IO (static/js/live-phone.js)."""
    assembly = services.find_assembly_by_code(code)
    if assembly is None:
        raise NotFound("unknown_join_code")
    if code != assembly.join_code:
        return redirect(url_for("assemblies.join", code=assembly.join_code))
    ended = assembly.state == AssemblyState.ENDED
    needs_sign_in = assembly.requires_sign_in and not current_user.is_authenticated
    response = make_response(render_template("assemblies/join.html", assembly=assembly, ended=ended,
                                             needs_sign_in=needs_sign_in, live=not (ended or needs_sign_in)))
    response.headers["Cache-Control"] = "no-store"
    return response
