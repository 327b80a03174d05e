"""The user's per-record function, and how it receives the Lambda context.

Read once from the function's signature: a parameter named ``lambda_context`` (the convention
of aws-lambda-powertools) gets the context by keyword, a function that requires exactly two
positional arguments (``record, context``) gets it by position, and any other function is
called with the record alone. The type of the handlers the decorators return lives here too.

Imports only the package's policy module (for the response type).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Literal, Protocol, TypeAlias, TypeVar

from glue_serde.integrations.aws_lambda._policy import LambdaResponse

E = TypeVar("E")
R = TypeVar("R")
_E_contra = TypeVar("_E_contra", contravariant=True)
_R_co = TypeVar("_R_co", covariant=True)


class _ContextFunction(Protocol[_E_contra, _R_co]):
    """A per-record function that also takes the Lambda context (by keyword)."""

    def __call__(self, record: _E_contra, *, lambda_context: Any) -> _R_co: ...


#: What the helpers call per record: ``fn(record)``; ``fn(record, lambda_context=context)``
#: when ``fn`` declares a parameter named ``lambda_context``; ``fn(record, context)`` when it
#: requires exactly two positional arguments.
RecordFunction: TypeAlias = Callable[[E], R] | _ContextFunction[E, R] | Callable[[E, Any], R]


ContextMode: TypeAlias = Literal["none", "keyword", "positional"]


def context_mode(fn: Callable[..., object]) -> ContextMode:
    """Tell how ``fn`` takes the Lambda context, from its signature (read once).

    ``"keyword"`` when it declares a ``lambda_context`` parameter (Powertools' convention),
    ``"positional"`` when it requires exactly two positional arguments (``record, context``:
    such a function could not be called with the record alone before), else ``"none"``.
    """
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return "none"
    declared = parameters.get("lambda_context")
    if declared is not None and declared.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    ):
        return "keyword"
    required = [
        p
        for p in parameters.values()
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        and p.default is inspect.Parameter.empty
    ]
    return "positional" if len(required) == 2 else "none"


def invoke(fn: RecordFunction[E, R], mode: ContextMode, context: Any, record: E) -> R:
    """Call ``fn`` on one record, handing it ``context`` the way it declares it."""
    if mode == "keyword":
        return fn(record, lambda_context=context)  # type: ignore[call-arg]
    if mode == "positional":
        return fn(record, context)  # type: ignore[call-arg]
    return fn(record)  # type: ignore[call-arg]


def bind_context(fn: RecordFunction[E, R], context: Any) -> Callable[[E], R]:
    """Return ``fn`` as a one-argument function, handing it ``context`` if it asks for it."""
    return functools.partial(invoke, fn, context_mode(fn), context)


#: What the decorators return: ``handler(event, context) -> response``.
Handler: TypeAlias = Callable[[Any, Any], LambdaResponse]
