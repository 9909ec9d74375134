"""Serve third-party front-end files from their installed Python packages (no CDN, no copies)."""

from __future__ import annotations

from importlib.resources import files

from flask import Blueprint, abort, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

# name -> (package, folder inside it); the file list is fixed to what we use.
VENDORED = {"htmx.min.js": ("js_lib_htmx", "static/htmx")}


@bp.get("/<name>")
def asset(name: str):
    """Send a vendored asset with a long cache lifetime."""
    if name not in VENDORED:
        abort(404)
    package, folder = VENDORED[name]
    directory = files(package).joinpath(folder)
    return send_from_directory(str(directory), name, max_age=86400)
