"""`python -m runner` is `reelstage`."""

from runner.cli.main import main

main()
