"""Proposal commands and queries: the only code that changes proposals, supports and comments.

Split by subject; everything is re-exported here, so callers write `from deliberation.proposals import
services` and `services.submit_proposal(...)`.
"""

from deliberation.proposals.services.comments import (
    CommentNode,
    comment_tree,
    hidden_comment_ids,
    list_comments,
    post_comment,
    stance_summary,
)
from deliberation.proposals.services.common import get_consultation, get_listed_consultation, get_proposal
from deliberation.proposals.services.proposals import (
    edit_proposal,
    initial_status,
    submit_proposal,
    withdraw_proposal,
)
from deliberation.proposals.services.search import (
    RANDOM_SEED_MAX,
    SORTS,
    list_my_proposals,
    list_proposals,
    new_random_seed,
)
from deliberation.proposals.services.supports import has_supported, support_proposal, withdraw_support

__all__ = [
    "RANDOM_SEED_MAX", "SORTS", "CommentNode", "comment_tree", "edit_proposal", "get_consultation",
    "get_listed_consultation",
    "get_proposal", "has_supported", "hidden_comment_ids", "initial_status", "list_comments", "list_my_proposals",
    "list_proposals",
    "new_random_seed", "post_comment", "stance_summary", "submit_proposal", "support_proposal",
    "withdraw_proposal", "withdraw_support",
]
