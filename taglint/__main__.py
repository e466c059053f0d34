from taglint.cli import run

run()
