from dljax.cli import main

raise SystemExit(main())
