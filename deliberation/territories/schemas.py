"""Territory schemas (out): priority areas and priorities as the API and exports show them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from deliberation.api.common import PageQuerySchema
from deliberation.territories.models import CrossCuttingTheme


class CommuneSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    code = fields.String(metadata={"description": "INSEE code of the commune."})


class PriorityAreaSchema(Schema):
    """A quartier prioritaire (QPV) or an area outside any QPV."""

    id = fields.Integer()
    contract_id = fields.Integer()
    code = fields.String(
        allow_none=True,
        metadata={
            "description": "Official QPV code (QN + 6 characters, e.g. QN07512M); "
            "null for an area outside any QPV."
        },
    )
    name = fields.String()
    description = fields.String()
    is_qpv = fields.Boolean()
    communes = fields.List(fields.Nested(CommuneSchema))


class ContractPrioritySchema(Schema):
    """A priority (enjeu) of a city contract."""

    id = fields.Integer()
    contract_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    position = fields.Integer()
    themes = fields.List(
        fields.String(validate=validate.OneOf([t.value for t in CrossCuttingTheme])),
        metadata={
            "description": "Cross-cutting themes: " + ", ".join(t.value for t in CrossCuttingTheme) + "."
        },
    )


class TerritoryListQuerySchema(PageQuerySchema):
    contract_id = fields.Integer(
        load_default=None, metadata={"description": "Only those of this city contract."}
    )
