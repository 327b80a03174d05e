"""``python -m glue_serde``: the command line."""

from __future__ import annotations

import sys

from glue_serde.cli import main

if __name__ == "__main__":
    sys.exit(main())
