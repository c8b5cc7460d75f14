// ddpm: the command line. Argument parsing only; every command is implemented in Workbench.
DDPM.main()
