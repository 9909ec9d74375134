"""WSGI entry point: `flask --app wsgi ...`, gunicorn `wsgi:app`, waitress `wsgi:app`."""

from portal import create_app

app = create_app()
