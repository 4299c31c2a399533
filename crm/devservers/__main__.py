import sys

from crm.devservers.cli import main

sys.exit(main())
