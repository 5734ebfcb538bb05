"""The engine benchmark's least-squares fits (bench/engine_fit.py): exact on points of a polynomial of the degree,
the least-squares line otherwise, and a clear refusal when the points cannot determine the fit."""

from __future__ import annotations

import pytest

from bench.engine_fit import FitError, fit_polynomial


def test_points_on_a_quadratic_give_back_its_coefficients_and_no_residuals() -> None:
    def quadratic(n: float) -> float:
        return 5.0 + 0.25 * n + 0.003 * n**2

    xs = [125, 250, 500, 1000, 2000]
    fit = fit_polynomial(xs, [quadratic(x) for x in xs], 2)

    assert fit.coefficients == pytest.approx((5.0, 0.25, 0.003))
    assert fit.residuals == pytest.approx((0.0,) * len(xs), abs=1e-9)
    assert fit.predict(10_000) == pytest.approx(quadratic(10_000))


def test_a_line_through_scattered_points_is_the_least_squares_one() -> None:
    xs, ys = [1, 2, 3, 4], [2.0, 3.0, 5.0, 6.0]
    fit = fit_polynomial(xs, ys, 1)

    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum((x - mean_x) ** 2 for x in xs)
    assert fit.coefficients == pytest.approx((mean_y - slope * mean_x, slope))
    assert sum(fit.residuals) == pytest.approx(0.0, abs=1e-9)  # a least-squares line with an intercept


def test_too_few_distinct_points_are_refused_naming_the_need() -> None:
    with pytest.raises(FitError, match="needs 3 distinct x values, got 2"):
        fit_polynomial([1, 2, 2], [1.0, 2.0, 3.0], 2)


def test_the_formula_reads_as_the_fit() -> None:
    assert fit_polynomial([0, 1, 2], [1.0, 3.0, 9.0], 2).formula() == "1 + 0 n + 2 n^2"
