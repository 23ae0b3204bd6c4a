"""gunicorn reads this file from the working directory: `gunicorn 'app:create_app()'` (the Procfile)."""

from app.gunicorn_conf import SETTINGS

# gunicorn reads module-level names: the same settings as `tagway serve`.
globals().update(SETTINGS)
