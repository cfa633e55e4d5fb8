"""The WSGI entry point: `flask run` and gunicorn find `app` here."""

from casebase import create_app

app = create_app()
