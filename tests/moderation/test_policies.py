"""Who may report and who may decide: the matrix (anonymous, resident, author, reporter, moderator of another
consultation, moderator of this one, global moderator, administrator)."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from deliberation.moderation import policies
from deliberation.moderation.targets import Target
from tests.factories import ConsultationFactory, UserFactory

PEOPLE = ["anonymous", "resident", "author", "reporter", "moderator_elsewhere", "moderator_here",
          "moderator", "admin"]
REPORT = {"anonymous": "authentication_required", "resident": None, "author": "own_content", "reporter": None,
          "moderator_elsewhere": None, "moderator_here": None, "moderator": None, "admin": None}
DECIDE = {"anonymous": "authentication_required", "resident": "not_moderator", "author": "not_moderator",
          "reporter": "not_moderator", "moderator_elsewhere": "not_moderator", "moderator_here": None,
          "moderator": None, "admin": None}


def _person(name, consultation, author, reporter):
    return {
        "anonymous": lambda: AnonymousUserMixin(),
        "resident": lambda: UserFactory(),
        "author": lambda: author,
        "reporter": lambda: reporter,
        "moderator_elsewhere": lambda: UserFactory(roles=[("moderator", ConsultationFactory())]),
        "moderator_here": lambda: UserFactory(roles=[("moderator", consultation)]),
        "moderator": lambda: UserFactory(roles=["moderator"]),
        "admin": lambda: UserFactory(roles=["admin"]),
    }[name]()


@pytest.mark.parametrize("who", PEOPLE)
def test_report_and_decide_matrix(who, proposal, consultation, author, reporter):
    target = Target("proposal", proposal)
    user = _person(who, consultation, author, reporter)
    assert policies.report_refusal(user, target) == REPORT[who]
    reported = who == "reporter"
    assert policies.decide_refusal(user, target, reported_by_user=reported) == DECIDE[who]
    assert policies.can_open_queue(user) == (who in ("moderator_elsewhere", "moderator_here", "moderator", "admin"))


def test_a_moderator_who_reported_the_item_does_not_decide(proposal):
    moderator = UserFactory(roles=["moderator"])
    assert policies.decide_refusal(moderator, Target("proposal", proposal), reported_by_user=True) == "own_report"
