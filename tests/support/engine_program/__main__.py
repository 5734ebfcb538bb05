"""The stand-in program on the real engine: the project's own __main__.py, run as it is (its stack scope, its
config and validation, its stack references and exports), with the components that declare AWS resources replaced
by ComponentResources (standins.py). A test copies this file into its project directory as that project's
`__main__.py`: the program reads its environment's settings file beside it."""

import components.cells.tenant_cell
import components.platform
from local.paths import PROJECT_ROOT
from tests.support.engine_program import standins

components.platform.declare_platform = standins.declare_platform  # type: ignore[assignment]
components.cells.tenant_cell.TenantCell = standins.TenantCell  # type: ignore[assignment, misc]

PROGRAM = PROJECT_ROOT / "__main__.py"
exec(compile(PROGRAM.read_text(), str(PROGRAM), "exec"), {"__name__": "__main__", "__file__": __file__})
