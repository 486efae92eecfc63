PathsimCommand.main()
