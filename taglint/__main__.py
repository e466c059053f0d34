from taglint.cli import main

raise SystemExit(main())
