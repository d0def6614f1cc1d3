import sys

from dljax.cli import main

sys.exit(main())
