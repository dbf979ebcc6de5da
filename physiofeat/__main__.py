"""``python -m physiofeat`` runs the ``physiofeat`` command (see :mod:`physiofeat.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
