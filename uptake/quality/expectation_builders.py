"""Small builders for the expectations the suite files in ``expectations/`` share."""

from __future__ import annotations

import great_expectations.expectations as gxe


def columns_present(*names: str) -> gxe.Expectation:
    """The table has at least these columns (the contract's; extra columns are allowed)."""
    return gxe.ExpectTableColumnsToMatchSet(column_set=list(names), exact_match=False)


def not_null(*columns: str) -> list[gxe.Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=column) for column in columns]


def has_rows() -> gxe.Expectation:
    return gxe.ExpectTableRowCountToBeBetween(min_value=1)


def rate(column: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1)


def percent(column: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=100)


def non_negative(column: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0)


def not_after(earlier: str, later: str) -> gxe.Expectation:
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=later, column_B=earlier, or_equal=True, ignore_row_if="either_value_is_missing"
    )
