// ddpm: the command line. Every command, its flags and what it runs live in the Commands library.
import Commands

DDPM.main()
