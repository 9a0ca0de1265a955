"""WSGI entry point for an external gunicorn: `gunicorn -k gevent -w 1 --worker-connections 10000 wsgi:app`."""

from deliberation import create_app

app = create_app()
