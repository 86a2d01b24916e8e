"""The base of the API's request models: a field takes the JSON type its schema states. pydantic
would read ``true`` as 1, ``"5"`` as 5, ``1`` or ``"yes"`` as true and a number as a Unix time;
the schema says a number, a boolean or an ISO-8601 text, and schemathesis found ``"exclude_id": true`` accepted as order 1. A refusal names
the field, as every other refusal does."""

from __future__ import annotations

import datetime as dt
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError, model_validator


def _kinds(annotation: Any) -> set[type]:
    """The plain types a field's annotation admits (``int | None`` → {int, NoneType})."""
    if get_origin(annotation) in (Union, types.UnionType):
        return {a for a in get_args(annotation) if isinstance(a, type)}
    return {annotation} if isinstance(annotation, type) else set()


def _is_time(k: type) -> bool:
    """A date or a time, pydantic's ``AwareDatetime`` and the like included."""
    return issubclass(k, dt.date) or (k.__module__ == "pydantic.types" and k.__name__.endswith(("Datetime", "Date")))


def _wrong_json_type(kinds: set[type], value: Any) -> str | None:
    """The pydantic error type for ``value`` in a field of ``kinds``, if JSON would not call it
    one of them."""
    if value is None or str in kinds:
        return None
    numeric = kinds & {int, float}
    if numeric and bool not in kinds and isinstance(value, (bool, str)):
        return "int_type" if int in numeric else "float_type"
    if bool in kinds and not numeric and not isinstance(value, bool):
        return "bool_type"
    times = [k for k in kinds if _is_time(k)]
    if times and not numeric and isinstance(value, (bool, int, float)):
        return "date_type" if all(k is dt.date for k in times) else "datetime_type"  # not a Unix time
    return None


class ApiModel(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                key = field.alias or name
                if key in data:
                    kind = _wrong_json_type(_kinds(field.annotation), data[key])
                    if kind:
                        raise ValidationError.from_exception_data(cls.__name__, [
                            {"type": kind, "loc": (key,), "input": data[key]}])
        return data
