"""The `@overload`s of the metrics agree with the functions they describe.

The overloads repeat each signature for type checkers (``tests/typing`` checks
what they infer); these tests keep the copies equal to the implementation.
"""

from __future__ import annotations

import inspect
import sys
import typing

import pytest

from csmetrics import catalog

pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="typing.get_overloads is new in Python 3.11"
)


@pytest.mark.parametrize("name", catalog.names())
def test_a_union_result_has_one_overload_per_member(name: str):
    function = catalog.get(name).function
    returns = inspect.signature(function).return_annotation
    overloads = typing.get_overloads(function)
    assert len(overloads) == (len(returns.split(" | ")) if " | " in returns else 0)
    assert sorted(inspect.signature(o).return_annotation for o in overloads) == sorted(
        returns.split(" | ") if overloads else []
    )


@pytest.mark.parametrize("name", catalog.names())
def test_overloads_repeat_the_signature_except_by(name: str):
    function = catalog.get(name).function
    implementation = inspect.signature(function).parameters
    by_types = []
    for overload in typing.get_overloads(function):
        parameters = inspect.signature(overload).parameters
        assert list(parameters) == list(implementation)
        for p, q in zip(parameters.values(), implementation.values(), strict=True):
            assert p.kind == q.kind
            if p.name != "by":
                assert (p.default, p.annotation) == (q.default, q.annotation)
        by = parameters["by"]
        assert by.default in (implementation["by"].default, inspect.Parameter.empty)
        by_types.append(by.annotation)
    if by_types:
        assert sorted(by_types) == sorted(implementation["by"].annotation.split(" | "))
