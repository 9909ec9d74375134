"""The applications blueprint: one URL table for the list, the section pages and the review."""

from __future__ import annotations

from flask import Blueprint

from portal.applications import review, views

bp = Blueprint("applications", __name__, url_prefix="/applications")

# The list, starting an application, the section pages.
bp.add_url_rule("/", "index", views.index)
bp.add_url_rule("/new", "new", views.new, methods=["GET", "POST"])
bp.add_url_rule("/<int:app_id>/<key>", "section", views.section, methods=["GET", "POST"])
bp.add_url_rule("/<int:app_id>/<key>/check", "check_field", views.check_field, methods=["POST"])
bp.add_url_rule(
    "/<int:app_id>/copy-previous", "copy_previous", views.copy_previous, methods=["POST"]
)
bp.add_url_rule(
    "/<int:app_id>/publicity/period", "publicity_period", views.publicity_period, methods=["POST"]
)
# Review, status changes one by one and in bulk (an admin reverses the last), deleting a draft.
bp.add_url_rule("/<int:app_id>/review", "review", review.review)
bp.add_url_rule("/<int:app_id>/status", "change_status", review.change_status, methods=["POST"])
bp.add_url_rule("/bulk-status", "bulk_status", review.bulk_status, methods=["POST"])
bp.add_url_rule("/<int:app_id>/reverse", "reverse", review.reverse, methods=["POST"])
# Locking: a reported application is unlocked for a correction, then locked again.
bp.add_url_rule("/<int:app_id>/unlock", "unlock", review.unlock, methods=["POST"])
bp.add_url_rule("/<int:app_id>/relock", "relock", review.relock, methods=["POST"])
bp.add_url_rule("/<int:app_id>/delete", "delete", review.delete, methods=["POST"])
