"""The one error type of the components: a value the program would declare that AWS would refuse
(a malformed ARN, name, schema or policy input), raised before anything is declared."""

from __future__ import annotations


class ComponentInputError(ValueError):
    """The message names the value and the rule it breaks."""
