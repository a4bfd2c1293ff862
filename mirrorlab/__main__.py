from mirrorlab.cli import main

raise SystemExit(main())
