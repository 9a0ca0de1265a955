"""Who may answer proposals and sections, and who may keep the follow-up of commitments. Pure predicates.

Officials are the users holding the official role for the consultation (a global official everywhere, a scoped
one only in their consultation; administrators hold every role). Each rule is `<verb>_refusal(...)`: the error
code refusing the action, or None; `can_<verb>` is the boolean templates ask.
"""

from __future__ import annotations

from deliberation.accounts.models import UserRole
from deliberation.proposals.models import PUBLIC_STATUSES
from deliberation.synthesis.models import SynthesisStatus
from deliberation.synthesis.policies import has_role_in, is_official_of, signed_in

# A section can be answered once its synthesis reached the officials, and amended while the answer is fresh.
ANSWERABLE_SYNTHESIS_STATUSES = frozenset({SynthesisStatus.SENT_TO_OFFICIALS, SynthesisStatus.ANSWERED})


def _blocked(user) -> bool:
    return bool(getattr(user, "is_blocked", False))


def _is_admin_of(user, consultation_id: int | None) -> bool:
    return has_role_in(user, UserRole.ADMIN, consultation_id)


def can_open_desk(user, consultation) -> bool:
    """The officials' desk of a consultation (its public proposals and their responses)."""
    return is_official_of(user, consultation.id)


def answer_proposal_refusal(user, proposal) -> str | None:
    if not signed_in(user):
        return "authentication_required"
    if _blocked(user):
        return "account_blocked"
    if not is_official_of(user, proposal.consultation_id):
        return "not_official"
    if proposal.status not in PUBLIC_STATUSES:
        return "proposal_not_public"
    return None


def answer_section_refusal(user, section) -> str | None:
    synthesis = section.synthesis
    if not signed_in(user):
        return "authentication_required"
    if _blocked(user):
        return "account_blocked"
    if not is_official_of(user, synthesis.consultation_id):
        return "not_official"
    if synthesis.status not in ANSWERABLE_SYNTHESIS_STATUSES:
        return "synthesis_not_sent"
    return None


def can_answer(user, target) -> bool:
    """`target` is a Proposal or a SynthesisSection."""
    from deliberation.synthesis.models import SynthesisSection

    if isinstance(target, SynthesisSection):
        return answer_section_refusal(user, target) is None
    return answer_proposal_refusal(user, target) is None


def manage_follow_ups_refusal(user, consultation_id: int) -> str | None:
    if not signed_in(user):
        return "authentication_required"
    if _blocked(user):
        return "account_blocked"
    if not (is_official_of(user, consultation_id) or _is_admin_of(user, consultation_id)):
        return "not_official"
    return None


def can_manage_follow_ups(user, consultation_id: int) -> bool:
    """Create and update the commitments of a consultation: its officials and the administrators."""
    return manage_follow_ups_refusal(user, consultation_id) is None


def can_see_response(user, response, now=None) -> bool:
    """A response is public from its publish_at, while its proposal is public (as GET /proposals/{id} and the
    open data give it); otherwise only the consultation's officials see it."""
    if response is None:
        return False
    if response.is_public(now) and (response.proposal is None or response.proposal.status in PUBLIC_STATUSES):
        return True
    consultation_id = (response.proposal.consultation_id if response.proposal is not None
                       else response.section.synthesis.consultation_id)
    return is_official_of(user, consultation_id)


TEMPLATE_POLICIES = {
    "can_answer": can_answer,
    "can_manage_follow_ups": can_manage_follow_ups,
    "can_open_desk": can_open_desk,
}
