"""``python -m thetahat``."""

import sys

from .cli import main

sys.exit(main())
