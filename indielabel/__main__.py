import sys

from indielabel.cli import main

sys.exit(main())
