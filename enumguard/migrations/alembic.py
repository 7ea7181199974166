"""STUB while being written."""
from dataclasses import dataclass, field
@dataclass
class Revisions:
    units: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    statements: int = 0
def load(tree, config, first_order=0):
    return Revisions()
