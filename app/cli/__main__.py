"""`python -m app.cli`: the same as the `tagway` command."""

from app.cli import main

main()
