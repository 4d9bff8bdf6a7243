"""Entry point of the frozen app: the same command line as the `fieldkit` script."""

from fieldkit.cli import main

raise SystemExit(main())
