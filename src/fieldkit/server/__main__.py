from fieldkit.server.cli import main

raise SystemExit(main())
