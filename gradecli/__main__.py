from gradecli.cli.app import main

main()
