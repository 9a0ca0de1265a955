"""Territory services: commands (admin only, audited) and queries.

One package, so `from deliberation.territories import services` gives every command and query (the input
checks they share with the consultation commands are in services.validation).
"""

from deliberation.territories.services.commands import (
    communes_of,
    create_area,
    create_contract,
    create_organisation,
    create_priority,
    update_area,
    update_contract,
    update_organisation,
    update_priority,
)
from deliberation.territories.services.queries import (
    list_areas,
    list_areas_page,
    list_contracts,
    list_epcis,
    list_organisations,
    list_priorities,
    list_priorities_page,
)

__all__ = [
    "communes_of",
    "create_area",
    "create_contract",
    "create_organisation",
    "create_priority",
    "list_areas",
    "list_areas_page",
    "list_contracts",
    "list_epcis",
    "list_organisations",
    "list_priorities",
    "list_priorities_page",
    "update_area",
    "update_contract",
    "update_organisation",
    "update_priority",
]
