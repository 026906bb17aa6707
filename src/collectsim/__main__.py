from collectsim.cli import main

raise SystemExit(main())
