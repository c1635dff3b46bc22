"""Every command of both console scripts has help with an example."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from enrich.cli import cli as enrich_cli
from scraper.cli import cli as scrape_cli

COMMANDS = [(group, name) for group in (enrich_cli, scrape_cli) for name in group.commands]


@pytest.mark.parametrize("group,name", COMMANDS, ids=[f"{g.name}-{n}" for g, n in COMMANDS])
def test_command_help_has_an_example(group: click.Group, name: str):
    result = CliRunner().invoke(group, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert group.commands[name].help and len(group.commands[name].help.split()) > 5


def test_public_interface_names_are_stable():
    assert {"build", "serve"} <= set(enrich_cli.commands)
    assert {"run", "page"} <= set(scrape_cli.commands)
