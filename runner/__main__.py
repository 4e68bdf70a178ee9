"""`python -m runner` is `reelstage`."""

from .cli import main

main()
