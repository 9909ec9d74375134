"""The documents blueprint: one URL table for printing and for the unit templates."""

from __future__ import annotations

from flask import Blueprint

from portal.documents import template_views, views
from portal.documents.layout import typeset

bp = Blueprint("documents", __name__, url_prefix="/documents")
bp.add_app_template_filter(typeset, "typeset")

# One application's documents: the list, a print preview, a PDF.
bp.add_url_rule("/<int:app_id>/", "index", views.index)
bp.add_url_rule("/<int:app_id>/<kind>", "preview", views.preview)
bp.add_url_rule("/<int:app_id>/<kind>/pdf", "download", views.download)
bp.add_url_rule(
    "/<int:app_id>/<kind>/docx", "download_docx", views.download, defaults={"fmt": "docx"}
)
# Batches of selected applications (large ones run as background jobs: portal.jobs).
bp.add_url_rule("/batch", "batch", views.batch, methods=["GET", "POST"])
bp.add_url_rule("/batch/start", "batch_start", views.batch_start, methods=["POST"])
bp.add_url_rule("/combined", "combined_preview", views.combined_preview)
# The units' own templates.
bp.add_url_rule("/templates/", "unit_templates", template_views.unit_templates)
bp.add_url_rule(
    "/templates/new", "new_unit_template", template_views.new_unit_template, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/templates/<int:template_id>",
    "edit_unit_template",
    template_views.edit_unit_template,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/templates/<int:template_id>/delete",
    "delete_unit_template",
    template_views.delete_unit_template,
    methods=["POST"],
)
bp.add_url_rule("/templates/official", "official_text_field", template_views.official_text_field)
bp.add_url_rule(
    "/templates/preview",
    "preview_unit_template",
    template_views.preview_unit_template,
    methods=["POST"],
)
