"""Documented signals: how one module reacts to another without importing its views.

Each is sent by a service, inside the unit of work, after the change was flushed; receivers must only queue
side effects (after_commit) or write rows in the same transaction. Arguments are keyword-only.
"""

from blinker import Namespace

_signals = Namespace()

#: sender=User; a new account was created.
user_registered = _signals.signal("user_registered")
#: sender=User; the account's personal data was erased (contributions are kept, anonymous).
user_deleted = _signals.signal("user_deleted")
#: sender=Proposal; a proposal was submitted (it may be published or wait for moderation).
proposal_submitted = _signals.signal("proposal_submitted")
#: sender=Proposal, old_status=ProposalStatus; the status of a proposal changed.
proposal_status_changed = _signals.signal("proposal_status_changed")
#: sender=Proposal, user=User; someone supports the proposal.
proposal_supported = _signals.signal("proposal_supported")
#: sender=Comment; a comment was posted on a proposal.
comment_posted = _signals.signal("comment_posted")
#: sender=AgendaItem, proposals=list[Proposal]; proposals were put on an assembly's agenda.
agenda_item_added = _signals.signal("agenda_item_added")
#: sender=Poll; a poll of an assembly was closed (its results are public from now on).
poll_closed = _signals.signal("poll_closed")
