"""Open311 GeoReport v2 as published (http://wiki.open311.org/GeoReport_v2 and the JSON schemas
of github.com/open311/schema-validation, schema/georeport-v2/*.json), encoded here for the tests:
the answer schemas, and a small client written against the specification (httpx) that speaks
both formats — XML read back into the same objects as the JSON, so every answer is checked in
both."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import httpx
import jsonschema_rs

_STR_OR_NULL = {"anyOf": [{"type": "string"}, {"type": "null"}]}
_TIME_OR_NULL = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}
_NUM_OR_NULL = {"anyOf": [{"type": "number"}, {"type": "null"}]}

SERVICE = {
    "type": "object", "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"}, "service_name": {"type": "string"}, "description": _STR_OR_NULL,
        "metadata": {"type": "boolean"}, "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": _STR_OR_NULL, "group": _STR_OR_NULL,
    },
}
SERVICES = {"type": "array", "items": SERVICE}
SERVICE_DEFINITION = {
    "type": "object", "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {"type": "array", "items": {
            "type": "object", "required": ["variable", "code", "datatype", "required"],
            "properties": {
                "variable": {"type": "boolean"}, "code": {"type": "string"},
                "datatype": {"type": "string", "enum": ["string", "number", "datetime", "text", "singlevaluelist",
                                                        "multivaluelist"]},
                "required": {"type": "boolean"}, "datatype_description": _STR_OR_NULL,
                "order": {"anyOf": [{"type": "integer"}, {"type": "null"}]}, "description": _STR_OR_NULL,
                "values": {"type": "array", "items": {"type": "object", "required": ["key", "name"],
                                                      "properties": {"key": {"type": "string"},
                                                                     "name": {"type": "string"}}}},
            },
        }},
    },
}
REQUEST = {
    "type": "object", "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"}, "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": _STR_OR_NULL, "service_name": _STR_OR_NULL, "service_code": {"type": "string"},
        "description": {"anyOf": [{"type": "string", "maxLength": 4000}, {"type": "null"}]},
        "agency_responsible": _STR_OR_NULL, "service_notice": _STR_OR_NULL,
        "requested_datetime": {"type": "string", "format": "date-time"}, "updated_datetime": _TIME_OR_NULL,
        "expected_datetime": _TIME_OR_NULL, "address": _STR_OR_NULL, "address_id": _STR_OR_NULL,
        "zipcode": _STR_OR_NULL, "lat": _NUM_OR_NULL, "long": _NUM_OR_NULL,
        "media_url": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]},
    },
    "additionalProperties": False,
}
REQUESTS = {"type": "array", "items": REQUEST}
REQUEST_RESPONSE = {"type": "array", "minItems": 1, "items": {
    "type": "object", "anyOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
    "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"},
                   "service_notice": {"type": "string"}, "account_id": {"type": "string"}},
    "additionalProperties": False}}
TOKEN_RESPONSE = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["token"],
    "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
    "additionalProperties": False}}
DISCOVERY = {
    "type": "object", "required": ["changeset", "contact", "endpoints"],
    "properties": {"changeset": {"type": "string", "format": "date-time"}, "contact": {"type": "string"},
                   "key_service": {"type": "string"},
                   "endpoints": {"type": "array", "minItems": 1, "items": {
                       "type": "object", "required": ["specification", "url", "type", "formats"],
                       "properties": {"specification": {"type": "string"}, "url": {"type": "string", "format": "uri"},
                                      "changeset": {"type": "string"},
                                      "type": {"type": "string", "enum": ["production", "test"]},
                                      "formats": {"type": "array", "items": {"type": "string"}}}}}}}
ERRORS = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["code", "description"],
    "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}, "additionalProperties": False}}

# XML: the root and item element of each answer; lists nested with their singular.
XML_SHAPES = {"services": ("services", "service"), "service_definition": ("service_definition", None),
              "requests": ("service_requests", "request"), "discovery": ("discovery", None),
              "errors": ("errors", "error")}
_LISTS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
_NUMBERS = {"lat", "long"}
_INTS = {"code", "order"}
_BOOLS = {"metadata", "variable", "required"}


def check(schema: dict[str, Any], data: Any) -> None:
    """Raise with every violation of ``schema``."""
    errors = [str(e) for e in jsonschema_rs.validator_for(schema, validate_formats=True).iter_errors(data)]
    assert not errors, errors


def _value(node: ET.Element) -> Any:
    if node.tag in _LISTS:
        return [_value(c) for c in node]
    if len(node):
        return {c.tag: _value(c) for c in node}
    text = node.text
    if text is None:
        return None
    if node.tag in _BOOLS:
        assert text in ("true", "false"), (node.tag, text)
        return text == "true"
    if node.tag in _NUMBERS:
        return float(text)
    if node.tag in _INTS and text.lstrip("-").isdigit():
        return int(text)
    return text


def from_xml(body: bytes, shape: str) -> Any:
    """The XML answer as the JSON objects it must equal (checking the declaration, root and items)."""
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), body[:60]
    root_tag, item = XML_SHAPES[shape]
    root = ET.fromstring(body)
    assert root.tag == root_tag, (root.tag, root_tag)
    if item is None:
        return {c.tag: _value(c) for c in root}
    assert all(c.tag == item for c in root), [c.tag for c in root]
    return [_value(c) for c in root]


class GeoReportClient:
    """A GeoReport v2 client: ``base`` is the endpoint's URL from discovery (ends with ``/``)."""

    def __init__(self, base: str, api_key: str | None = None, jurisdiction_id: str | None = None):
        self.base, self.api_key, self.jurisdiction_id = base, api_key, jurisdiction_id
        self.http = httpx.Client(timeout=10)

    def _params(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        p = {"jurisdiction_id": self.jurisdiction_id} if self.jurisdiction_id else {}
        return {**p, **{k: v for k, v in (extra or {}).items() if v is not None}}

    def get(self, resource: str, fmt: str = "json", **params) -> httpx.Response:
        return self.http.get(f"{self.base}{resource}.{fmt}", params=self._params(params))

    def post_request(self, fmt: str = "json", **fields) -> httpx.Response:
        data = self._params(fields)
        if self.api_key:
            data["api_key"] = self.api_key
        return self.http.post(f"{self.base}requests.{fmt}", data=data)

    def close(self) -> None:
        self.http.close()
