import sys

from bench.harness import main

if __name__ == "__main__":   # worker processes of the import import this module again
    sys.exit(main())
