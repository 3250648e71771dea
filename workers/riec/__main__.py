from riec.cli import main

raise SystemExit(main())
