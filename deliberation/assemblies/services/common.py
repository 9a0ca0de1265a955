"""Helpers the assembly services share."""

from __future__ import annotations

from deliberation.assemblies import policies
from deliberation.assemblies.models import Assembly, AssemblyState
from deliberation.core.errors import Conflict, require


def require_manager(actor, assembly: Assembly) -> None:
    require(policies.can_manage_assembly(actor, assembly), "forbidden")


def require_not_ended(assembly: Assembly) -> None:
    if assembly.state == AssemblyState.ENDED:
        raise Conflict("assembly_ended")
