"""``python -m physiofeat`` runs the ``physiofeat`` command (see :mod:`physiofeat.cli`)."""

from .cli import run

if __name__ == "__main__":
    run()
