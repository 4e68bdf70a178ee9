"""`python -m runner` is `reelstage`."""

import sys

try:  # Ctrl-C while Python is still importing: the same one line and exit code as later
    from runner.cli.main import main

    main()
except KeyboardInterrupt:
    sys.stderr.write("reelstage: interrupted\n")
    sys.exit(130)
