"""Least-squares polynomial fits for the engine benchmark's extrapolation (no numpy in the project's venv)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Fit:
    """y ~ coefficients[0] + coefficients[1] x + coefficients[2] x^2 + ..., fitted to `points`."""

    coefficients: tuple[float, ...]
    points: tuple[tuple[float, float], ...]

    def predict(self, x: float) -> float:
        return sum(c * x**power for power, c in enumerate(self.coefficients))

    @property
    def residuals(self) -> tuple[float, ...]:
        """Measured minus fitted, per point."""
        return tuple(y - self.predict(x) for x, y in self.points)

    def formula(self, variable: str = "n") -> str:
        terms = []
        for power, c in enumerate(self.coefficients):
            term = f"{c:.4g}" if power == 0 else f"{c:.4g} {variable}" if power == 1 else f"{c:.4g} {variable}^{power}"
            terms.append(term)
        return " + ".join(terms).replace("+ -", "- ")


class FitError(ValueError):
    """Too few distinct points for the degree asked."""


def fit_polynomial(xs: Sequence[float], ys: Sequence[float], degree: int) -> Fit:
    """The least-squares polynomial of `degree` through (xs, ys), solved exactly (normal equations in fractions)."""
    if len(xs) != len(ys):
        raise FitError(f"{len(xs)} x values but {len(ys)} y values")
    if len(set(xs)) <= degree:
        raise FitError(f"a degree-{degree} fit needs {degree + 1} distinct x values, got {len(set(xs))}")
    size = degree + 1
    fx = [Fraction(x) for x in xs]
    fy = [Fraction(y) for y in ys]
    # Normal equations: (X^T X) c = X^T y, X's columns the powers of x; one augmented row per coefficient.
    matrix: list[list[Fraction]] = [
        [sum((x ** (i + j) for x in fx), Fraction(0)) for j in range(size)]
        + [sum((y * x**i for x, y in zip(fx, fy, strict=True)), Fraction(0))]
        for i in range(size)
    ]
    for column in range(size):
        pivot = next(row for row in range(column, size) if matrix[row][column] != 0)
        matrix[column], matrix[pivot] = matrix[pivot], matrix[column]
        for row in range(size):
            if row != column and matrix[row][column] != 0:
                factor = matrix[row][column] / matrix[column][column]
                matrix[row] = [a - factor * b for a, b in zip(matrix[row], matrix[column], strict=True)]
    coefficients = tuple(float(matrix[i][size] / matrix[i][i]) for i in range(size))
    return Fit(coefficients, tuple((float(x), float(y)) for x, y in zip(xs, ys, strict=True)))
