"""Open311 GeoReport v2's two formats (issue 15, point 5): JSON and XML as the specification
writes them — a list of objects in JSON; in XML a root element (``services``,
``service_requests``, ``service_definition``, ``discovery``, ``errors``) holding one element per
object, lists nested with their singular (``attributes/attribute``, ``values/value``), booleans
``true``/``false``, a missing value an empty element; UTF-8 with the XML declaration."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from fastapi.responses import Response

FORMATS = ("json", "xml")
_SINGULAR = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def _fill(parent: ET.Element, value: Any, tag: str) -> None:
    node = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for k, v in value.items():
            _fill(node, v, k)
    elif isinstance(value, list):
        for item in value:
            _fill(node, item, _SINGULAR.get(tag, "item"))
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def xml_document(root: str, item: str | None, data: Any) -> bytes:
    top = ET.Element(root)
    if item is None:
        for k, v in data.items():
            _fill(top, v, k)
    else:
        for obj in data:
            _fill(top, obj, item)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="utf-8", xml_declaration=False)


def answer(fmt: str, data: Any, *, root: str, item: str | None, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(xml_document(root, item, data), status_code=status, media_type="text/xml; charset=utf-8")
    return Response(json.dumps(data, ensure_ascii=False).encode(), status_code=status,
                    media_type="application/json; charset=utf-8")


def errors(fmt: str, code: int, description: str) -> Response:
    """The specification's error answer: a list of ``{code, description}``."""
    return answer(fmt if fmt in FORMATS else "xml", [{"code": code, "description": description}],
                  root="errors", item="error", status=code)
