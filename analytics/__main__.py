"""`python -m analytics …`: the command line (every command is in analytics/cli.py)."""
import sys

from analytics.cli import main

if __name__ == "__main__":
    sys.exit(main())
