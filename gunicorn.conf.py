"""gunicorn reads this file from the working directory: `gunicorn 'app:create_app()'` (the Procfile)."""

from app.gunicorn_conf import (  # noqa: F401  (gunicorn reads these names)
    accesslog,
    child_exit,
    control_socket_disable,
    errorlog,
    graceful_timeout,
    limit_request_line,
    on_starting,
    timeout,
)
