"""The restitution as a PDF (reportlab: no system library), for the contract's yearly report and the resident
bodies' opinion on it. An embedded TrueType font covers French and the middle dot of inclusive writing."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from deliberation.exports.restitution import FIGURE_LABELS, Restitution

FONT = "DeliberationSans"
FONT_BOLD = "DeliberationSans-Bold"
# DejaVu where the system has it (Debian: fonts-dejavu-core); else Bitstream Vera, which reportlab ships.
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_VERA = Path(reportlab.__file__).parent / "fonts"
_CANDIDATES = (
    (_DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"),
    (_VERA / "Vera.ttf", _VERA / "VeraBd.ttf"),
)
BRAND = colors.HexColor("#1d4f91")


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for regular, bold in _CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
            pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
            return
    raise RuntimeError("no TrueType font found for the PDF")


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=10, leading=14, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=FONT_BOLD, fontSize=18, leading=22,
                                alignment=TA_LEFT, textColor=BRAND),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=FONT_BOLD, fontSize=14, leading=18,
                             textColor=BRAND, spaceBefore=12),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=FONT_BOLD, fontSize=11, leading=14),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=11),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(rows: list[list], widths: list[float], styles: dict) -> Table:
    cells = [[_p(value, styles["cell"]) for value in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _response_chart(restitution: Restitution, width: float) -> Drawing:
    rows = restitution.responses
    height = 22 * len(rows) + 30
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 15
    chart.width, chart.height = width - 190, height - 25
    chart.data = [[row.count for row in reversed(rows)]]
    chart.categoryAxis.categoryNames = [row.label for row in reversed(rows)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([row.count for row in rows] + [1])
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.visibleTicks = chart.valueAxis.visibleLabels = 1
    chart.bars[0].fillColor = BRAND
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 8
    chart.barLabels.nudge = 8
    drawing.add(chart)
    drawing.add(String(0, height - 8, _("Responses by type"), fontName=FONT_BOLD, fontSize=9))
    return drawing


def render_restitution_pdf(restitution: Restitution, *, site_name: str, base_url: str = "") -> bytes:
    _register_fonts()
    styles = _styles()
    consultation = restitution.consultation
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm, bottomMargin=2 * cm,
        title=_("Restitution: %(title)s", title=consultation.title), author=site_name)
    width = A4[0] - 4 * cm
    story: list = [
        _p(_("Restitution: %(title)s", title=consultation.title), styles["title"]),
        _p(_("What was said, what was decided, what is being done. Public data as of %(date)s.",
             date=format_date(restitution.generated_at, "long")), styles["small"]),
        Spacer(1, 8),
        _p(_("Key figures"), styles["h2"]),
        _table([[_("Figure"), _("Number")]] + [[str(label).capitalize(), restitution.figures.get(key, 0)]
                                             for key, label in FIGURE_LABELS.items()], [width * 0.7, width * 0.3],
               styles),
        _p(_("What was said: the syntheses"), styles["h2"]),
    ]
    if restitution.syntheses:
        for synthesis in restitution.syntheses:
            block = [_p(synthesis.title, styles["h3"]),
                     _p(_("Published on %(date)s — %(url)s", date=format_date(synthesis.published_at, "long"),
                          url=f"{base_url}/syntheses/{synthesis.id}"), styles["small"])]
            if synthesis.sections:
                block.append(_p(_("Sections: %(sections)s",
                                  sections=" · ".join(section.title for section in synthesis.sections)),
                                styles["body"]))
            story.append(KeepTogether(block))
    else:
        story.append(_p(_("No synthesis has been published yet."), styles["body"]))
    story.append(_p(_("What was decided: the responses of the elected officials"), styles["h2"]))
    if restitution.responses_total:
        story.append(_response_chart(restitution, width))
        story.append(Spacer(1, 6))
        story.append(_table([[_("Type of response"), _("Number"), _("Share")]]
                            + [[row.label.capitalize(), row.count, f"{row.percent} %"] for row in restitution.responses]
                            + [[_("Total"), restitution.responses_total, "100 %"]],
                            [width * 0.6, width * 0.2, width * 0.2], styles))
    else:
        story.append(_p(_("No response of the elected officials is public yet."), styles["body"]))
    story.append(PageBreak())
    story.append(_p(_("What is being done: the follow-up"), styles["h2"]))
    if restitution.follow_ups:
        average = restitution.average_progress
        story.append(_p(_("Average progress of the commitments: %(percent)s %%", percent=average), styles["body"]))
        story.append(_table([[_("Commitment"), _("Carried by"), _("Progress"), _("Last step")]] + [
            [f.title, f.owner, f"{f.progress} %",
             format_date(max(u.happened_on for u in f.updates), "medium") if f.updates else "—"]
            for f in restitution.follow_ups], [width * 0.4, width * 0.3, width * 0.12, width * 0.18], styles))
    else:
        story.append(_p(_("No commitment is being followed up yet."), styles["body"]))
    story.append(Spacer(1, 12))
    story.append(_p(_("Open data of this consultation (Licence Ouverte / Etalab 2.0): %(url)s",
                      url=f"{base_url}/api/v1/consultations/{consultation.id}/export?format=csv"), styles["small"]))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(2 * cm, 1.2 * cm, f"{site_name} · {consultation.title}"[:110])
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, _("Page %(number)s", number=doc.page))
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
