"""API: consultations (list, one, create) and the read-only lists of priority areas and priorities."""

from __future__ import annotations

from functools import wraps

from flask_smorest import Blueprint

from deliberation.api.common import (
    ErrorSchema,
    PageQuerySchema,
    actor_or_none,
    page_args,
    page_schema,
    require_user,
)
from deliberation.consultations import policies, services
from deliberation.consultations.schemas import ConsultationSchema, CreateConsultationSchema
from deliberation.core.errors import require
from deliberation.core.transaction import unit_of_work
from deliberation.territories import services as territory_services
from deliberation.territories.schemas import (
    ContractPrioritySchema,
    PriorityAreaSchema,
    TerritoryListQuerySchema,
)

bp = Blueprint("api_consultations", __name__, url_prefix="/api/v1", description="consultations")

ConsultationPageSchema = page_schema(ConsultationSchema, "ConsultationPage")
AreaPageSchema = page_schema(PriorityAreaSchema, "AreaPage")
PriorityPageSchema = page_schema(ContractPrioritySchema, "PriorityPage")


def _admin_first(view):
    """401 for an anonymous caller and 403 for a non-admin, before the body is even read."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        require(policies.can_manage_consultations(require_user()), "forbidden")
        return view(*args, **kwargs)

    return wrapper


def _page_body(page) -> dict:
    return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total}


@bp.get("/consultations")
@bp.arguments(PageQuerySchema, location="query")
@bp.response(200, ConsultationPageSchema)
def list_consultations(args):
    """Published consultations, those with a running phase first."""
    page, per_page = page_args(args)
    return _page_body(services.list_public_consultations_page(page, per_page))


@bp.get("/consultations/<int:consultation_id>")
@bp.response(200, ConsultationSchema)
@bp.alt_response(404, schema=ErrorSchema)
def get_consultation(consultation_id: int):
    """One consultation, with its current phase (or null), phases, areas and priorities. Unpublished: 404
    except for administrators."""
    return services.get_public_consultation(consultation_id, actor_or_none())


@bp.post("/consultations")
@_admin_first
@bp.arguments(CreateConsultationSchema)
@bp.response(201, ConsultationSchema)
@bp.alt_response(401, schema=ErrorSchema)
@bp.alt_response(403, schema=ErrorSchema)
@bp.alt_response(422, schema=ErrorSchema)
def create_consultation(data):
    """Create a consultation with its phases (administrators). Overlapping phases → 422 phases_overlap."""
    actor = require_user()
    with unit_of_work():
        consultation = services.create_consultation(
            actor,
            title=data["title"],
            description=data["description"],
            contract=data["contract_id"],
            area_ids=data["area_ids"],
            priority_ids=data["priority_ids"],
            phases=data["phases"],
            is_published=data["is_published"],
        )
    return consultation


@bp.get("/areas")
@bp.arguments(TerritoryListQuerySchema, location="query")
@bp.response(200, AreaPageSchema)
def list_areas(args):
    """Priority areas: QPV (with their official code) and areas outside any QPV (code null)."""
    page, per_page = page_args(args)
    return _page_body(territory_services.list_areas_page(page, per_page, contract_id=args["contract_id"]))


@bp.get("/priorities")
@bp.arguments(TerritoryListQuerySchema, location="query")
@bp.response(200, PriorityPageSchema)
def list_priorities(args):
    """Priorities (enjeux) of the city contracts, by position, with their cross-cutting themes."""
    page, per_page = page_args(args)
    return _page_body(
        territory_services.list_priorities_page(page, per_page, contract_id=args["contract_id"])
    )
