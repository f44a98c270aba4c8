import RecurCLI

RecurCLI.main()
