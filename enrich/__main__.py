from enrich.cli import cli

cli()
