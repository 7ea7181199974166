"""Certain fixes: migration text a rule attaches to a finding, and token edits `enumguard fix` applies."""
