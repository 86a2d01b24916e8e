"""WeChat Official Account messages (issue 15 follow-up, point 1; R-P1, R-O2: the ``app`` channel).

The published server contract, plaintext mode: WeChat calls the configured URL with
``signature``, ``timestamp``, ``nonce`` in the query; ``signature`` is the hex SHA-1 of the three
strings token, timestamp, nonce sorted and joined. GET (server check) answers ``echostr`` as it
came. POST carries one XML message ``<xml><ToUserName/><FromUserName/><CreateTime/><MsgType/>…``:
text (``Content``), image (``PicUrl``, ``MediaId``), location (``Location_X``, ``Location_Y``,
``Scale``, ``Label``), each with ``MsgId``; the server answers within 5 s with ``success`` (or an
empty body) or one passive reply XML. WeChat retries up to three times, so ``MsgId`` makes a
delivery idempotent. Events (subscribe …) and other message types are acknowledged and ignored.
Pure: no I/O."""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET
from dataclasses import dataclass

MAX_BODY = 64 * 1024  # a WeChat message is a few KB
KINDS = ("text", "image", "location")


class BadMessage(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def signed(token: str, timestamp: str | None, nonce: str | None, given: str | None) -> bool:
    if not (token and timestamp and nonce and given):
        return False
    return hmac.compare_digest(signature(token, timestamp, nonce), given.strip().lower())


@dataclass(frozen=True)
class Message:
    to_user: str  # the Official Account's original id (gh_…)
    from_user: str  # the citizen's OpenID for this account
    create_time: int
    msg_type: str
    msg_id: str | None
    content: str = ""
    pic_url: str = ""
    media_id: str = ""
    latitude: float | None = None
    longitude: float | None = None
    scale: str = ""
    label: str = ""

    @property
    def supported(self) -> bool:
        return self.msg_type in KINDS

    def queue_text(self) -> str:
        """The message as the operator reads it in the queue."""
        if self.msg_type == "text":
            return self.content
        if self.msg_type == "image":
            return f"[图片] {self.pic_url}".strip()
        if self.msg_type == "location":
            return f"[位置] {self.label} ({self.latitude}, {self.longitude})".strip()
        return f"[{self.msg_type}]"

    def meta(self) -> dict:
        out: dict = {"platform": "wechat", "msg_type": self.msg_type, "create_time": self.create_time}
        if self.msg_type == "image":
            out.update(pic_url=self.pic_url, media_id=self.media_id)
        if self.msg_type == "location":
            out.update(lat=self.latitude, long=self.longitude, scale=self.scale, address_string=self.label)
        return out


def _text(root: ET.Element, name: str) -> str:
    node = root.find(name)
    return (node.text or "").strip() if node is not None else ""


def parse(body: bytes) -> Message:
    """One POSTed message; :class:`BadMessage` naming the field at fault."""
    if not body:
        raise BadMessage("body", "empty body")
    if len(body) > MAX_BODY:
        raise BadMessage("body", "message too large")
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise BadMessage("body", "no DTD or entities in a message")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise BadMessage("body", "not XML") from None
    if root.tag != "xml":
        raise BadMessage("body", "the root element is <xml>")
    to_user, from_user, msg_type = _text(root, "ToUserName"), _text(root, "FromUserName"), _text(root, "MsgType")
    for name, value in (("ToUserName", to_user), ("FromUserName", from_user), ("MsgType", msg_type)):
        if not value or len(value) > 128:
            raise BadMessage(name, f"{name} is required (at most 128 characters)")
    raw_time = _text(root, "CreateTime")
    if not raw_time.isdigit():
        raise BadMessage("CreateTime", "CreateTime is seconds since 1970")
    msg_id = _text(root, "MsgId") or None
    if msg_id is not None and (len(msg_id) > 64 or not msg_id.isdigit()):
        raise BadMessage("MsgId", "MsgId is a number")
    if msg_type in KINDS and msg_id is None:
        raise BadMessage("MsgId", "MsgId is required for a message")
    m = dict(to_user=to_user, from_user=from_user, create_time=int(raw_time), msg_type=msg_type, msg_id=msg_id)
    if msg_type == "text":
        m["content"] = _text(root, "Content")
        if not m["content"]:
            raise BadMessage("Content", "Content is required for a text message")
    elif msg_type == "image":
        m.update(pic_url=_text(root, "PicUrl"), media_id=_text(root, "MediaId"))
        if not m["pic_url"].startswith(("http://", "https://")):
            raise BadMessage("PicUrl", "PicUrl is an http(s) URL")
    elif msg_type == "location":
        try:
            lat, lon = float(_text(root, "Location_X")), float(_text(root, "Location_Y"))
        except ValueError:
            raise BadMessage("Location_X", "Location_X and Location_Y are numbers") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise BadMessage("Location_X", "the location is out of range")
        m.update(latitude=lat, longitude=lon, scale=_text(root, "Scale"), label=_text(root, "Label"))
    return Message(**m)


def passive_reply(to_user: str, from_user: str, text: str, create_time: int) -> str:
    """A passive text reply: To the citizen's OpenID, From the account."""
    def cdata(v: str) -> str:
        return "<![CDATA[" + v.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return (f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
            f"<CreateTime>{int(create_time)}</CreateTime><MsgType>{cdata('text')}</MsgType>"
            f"<Content>{cdata(text)}</Content></xml>")


__all__ = ["BadMessage", "Message", "parse", "passive_reply", "signature", "signed"]
