"""python -m mockbdd"""

from mockbdd.cli import main

raise SystemExit(main())
