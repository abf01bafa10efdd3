"""``python -m csmetrics``: the same as the ``csmetrics`` command."""

from __future__ import annotations

import sys

from csmetrics.cli import main

if __name__ == "__main__":
    sys.exit(main())
