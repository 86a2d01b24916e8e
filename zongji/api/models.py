"""The base of the API's request models: a number field takes a JSON number, never ``true`` or
``false`` (pydantic would read ``true`` as 1; schemathesis found an order id of ``true``
accepted). A refusal names the field, as every other refusal does."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError, model_validator


def _takes_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        return int in args and bool not in args
    return False


class ApiModel(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                key = field.alias or name
                if isinstance(data.get(key), bool) and _takes_int(field.annotation):
                    raise ValidationError.from_exception_data(cls.__name__, [
                        {"type": "int_type", "loc": (key,), "input": data[key]}])
        return data
