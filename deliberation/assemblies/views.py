"""Assembly pages. For now the QR code that takes a phone to the join page; the phone, console and screen
pages come with the Socket.IO increment."""

from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, current_app
from flask_babel import gettext as _

from deliberation.assemblies import services

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
