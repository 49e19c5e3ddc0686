"""``python -m cpd_desktop``: the same as the ``cpd-desktop`` command."""

import sys

from cpd_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
