"""The CLI's contract: exit codes, one-line errors, rule listing."""

from __future__ import annotations

from pathlib import Path

from enumguard.cli import main


def test_unknown_rule_on_command_line_is_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["audit", str(tmp_path), "--select", "no-such-rule"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown rule 'no-such-rule'" in err and "unknown-member" in err


def test_broken_config_names_the_setting(tmp_path: Path, capsys) -> None:
    (tmp_path / "enumguard.toml").write_text('fail-on = "sometimes"\n')
    assert main(["audit", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "enumguard.toml: setting `fail-on` must be one of error, warning, never" in err


def test_unknown_config_key_lists_valid_ones(tmp_path: Path, capsys) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.enumguard]\nselekt = []\n")
    assert main(["audit", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "setting `selekt` is unknown" in err and "select" in err


def test_list_rules_names_every_rule(capsys) -> None:
    from enumguard.rules import ALL_RULES

    assert main(["--list-rules"]) == 0
    out = capsys.readouterr().out
    for rule in ALL_RULES:
        assert rule.name in out


def test_missing_path_is_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["audit", str(tmp_path / "nope")]) == 2
    assert "not a directory" in capsys.readouterr().err
