"""The baseline: a Flask endpoint that reads the request and answers, doing nothing else."""

from flask import Flask, request

app = Flask(__name__)


@app.route("/noop", methods=["GET", "POST"])
def noop() -> tuple[bytes, int, dict[str, str]]:
    request.get_data()
    return b'{"ok":true}', 200, {"Content-Type": "application/json"}
