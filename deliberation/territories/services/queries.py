"""Territory queries: organisations, contracts, priority areas and priorities, as lists or pages."""

from __future__ import annotations

from sqlalchemy import func, select

from deliberation.extensions import db
from deliberation.territories.models import (
    CityContract,
    Organisation,
    OrganisationKind,
    Priority,
    PriorityArea,
)
from deliberation.web.pagination import Page


def list_organisations() -> list[Organisation]:
    """Intercommunalities first, then communes, each by name."""
    return list(
        db.session.scalars(select(Organisation).order_by(Organisation.kind.desc(), Organisation.name))
    )


def list_epcis() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.EPCI).order_by(Organisation.name)
        )
    )


def list_contracts() -> list[CityContract]:
    return list(
        db.session.scalars(select(CityContract).order_by(CityContract.starts_on.desc(), CityContract.id))
    )


def _areas_query(contract_id: int | None = None):
    query = select(PriorityArea)
    if contract_id is not None:
        query = query.where(PriorityArea.contract_id == contract_id)
    return query


def _priorities_query(contract_id: int | None = None):
    query = select(Priority)
    if contract_id is not None:
        query = query.where(Priority.contract_id == contract_id)
    return query


def list_areas(contract_id: int | None = None) -> list[PriorityArea]:
    return list(db.session.scalars(_areas_query(contract_id).order_by(PriorityArea.name, PriorityArea.id)))


def list_priorities(contract_id: int | None = None) -> list[Priority]:
    return list(
        db.session.scalars(
            _priorities_query(contract_id).order_by(Priority.contract_id, Priority.position, Priority.id)
        )
    )


def _page(query, order_by, page: int, per_page: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(db.session.scalars(query.order_by(*order_by).limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)


def list_areas_page(page: int, per_page: int, contract_id: int | None = None) -> Page[PriorityArea]:
    return _page(_areas_query(contract_id), (PriorityArea.name, PriorityArea.id), page, per_page)


def list_priorities_page(page: int, per_page: int, contract_id: int | None = None) -> Page[Priority]:
    return _page(
        _priorities_query(contract_id), (Priority.contract_id, Priority.position, Priority.id), page, per_page
    )
