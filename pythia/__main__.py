from pythia.cli import main

raise SystemExit(main())
