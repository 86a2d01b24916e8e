"""An inbound e-mail read for the intake queue (issue 15, point 3): the sender, subject and text
(the plain part, else the HTML part reduced to text), attachments with their file names, the
thread it answers (In-Reply-To / References), and whether it is an automatic message (an
auto-reply, an out-of-office, a bounce) that must never become an order.

Chinese mail clients label GBK or GB18030 text as ``gb2312``: every GB label is decoded as
GB18030 (their superset), so 镕, 堃 or 喆 in a body or a file name survive. Pure: stdlib parsing."""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

_GB = {"gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "euc-cn", "x-euc-cn", "csgb2312", "gb18030", "hz-gb-2312"}
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "section"}


def charset_of(label: str | None) -> str:
    """The codec to decode text labelled ``label`` with (GB labels → gb18030; none → utf-8)."""
    c = (label or "").strip().strip('"').lower()
    if not c or c in ("us-ascii", "ascii", "unknown-8bit", "x-unknown"):
        return "utf-8"
    return "gb18030" if c in _GB else c


def decode_bytes(data: bytes, label: str | None) -> str:
    codec = charset_of(label)
    try:
        return data.decode(codec, errors="replace")
    except LookupError:  # a label no codec knows
        return data.decode("utf-8", errors="replace")


def decode_words(value: str | None) -> str:
    """A header with RFC 2047 encoded words (``=?gb2312?B?…?=``), each decoded by its charset."""
    if not value:
        return ""
    out = []
    for chunk, label in decode_header(str(value)):
        out.append(decode_bytes(chunk, label) if isinstance(chunk, bytes) else chunk)
    return re.sub(r"\s+", " ", "".join(out)).strip()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    p.close()
    lines = [re.sub(r"[ \t\u00a0\u3000]+", " ", ln).strip() for ln in "".join(p.parts).splitlines()]
    return "\n".join(ln for ln in lines if ln)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InboundMail:
    message_id: str | None
    from_address: str
    from_name: str
    subject: str
    text: str
    in_reply_to: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    automatic: str | None = None  # why it is automatic ("auto-reply", "bounce", …), or None


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", str(value or ""))


def _part_text(part: Message) -> str:
    data = part.get_payload(decode=True) or b""
    return decode_bytes(data, part.get_content_charset())


def _filename(part: Message) -> str | None:
    raw = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if raw is None:
        return None
    if isinstance(raw, tuple):  # RFC 2231: (charset, language, value)
        label, _, value = raw
        value = value.encode("latin-1", errors="replace") if isinstance(value, str) else value
        return decode_bytes(value, label).strip() or None
    text = str(raw)
    if "=?" in text:
        return decode_words(text) or None
    if any(ord(c) > 127 for c in text):  # raw 8-bit (GBK from an old client), read as latin-1 by the parser
        try:
            return decode_bytes(text.encode("latin-1"), "gb18030") or None
        except UnicodeEncodeError:
            return text
    return text.strip() or None


def _automatic(msg: Message, from_address: str) -> str | None:
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return "auto-submitted"
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Auto-Response-Suppress", "").lower() == "all":
        return "auto-reply"
    if str(msg.get("Precedence", "")).strip().lower() in ("bulk", "junk", "auto_reply", "list"):
        return "bulk"
    if msg.get_content_type() == "multipart/report":
        return "bounce"
    local = from_address.split("@", 1)[0].lower()
    if local in ("mailer-daemon", "postmaster") or str(msg.get("Return-Path", "")).strip() == "<>":
        return "bounce"
    subject = decode_words(msg.get("Subject")).lower()
    if re.match(r"^(自动回复|自动答复|auto(matic)?[ -]?reply|out of office|undeliverable|delivery status notification)",
                subject):
        return "auto-reply"
    return None


def parse(raw: bytes) -> InboundMail:
    msg = email.message_from_bytes(raw, policy=policy.compat32)
    name, address = parseaddr(decode_words(msg.get("From")))
    if not address:
        addrs = getaddresses([str(msg.get("From", ""))])
        address = addrs[0][1] if addrs else ""
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = str(part.get("Content-Disposition", "")).split(";")[0].strip().lower()
        filename = _filename(part)
        if disposition == "attachment" or (filename and not ctype.startswith("text/")) or \
                (filename and disposition != "inline"):
            attachments.append(Attachment(filename or "attachment", ctype, part.get_payload(decode=True) or b""))
        elif ctype == "text/plain":
            plain.append(_part_text(part))
        elif ctype == "text/html":
            html.append(html_to_text(_part_text(part)))
    text = "\n".join(t.strip() for t in plain if t.strip()) or "\n".join(t for t in html if t)
    refs = _ids(msg.get("In-Reply-To")) + [i for i in reversed(_ids(msg.get("References")))]
    mid = _ids(msg.get("Message-ID"))
    return InboundMail(message_id=mid[0] if mid else None, from_address=address.strip().lower(),
                       from_name=name.strip(), subject=decode_words(msg.get("Subject")), text=text.strip(),
                       in_reply_to=list(dict.fromkeys(refs)), attachments=attachments,
                       automatic=_automatic(msg, address))


def reply_subject(subject: str | None, number: str | None = None) -> str:
    """The subject of our answer: ``Re:`` once, and the order's number when there is one."""
    s = re.sub(r"^\s*((re|fw|回复|答复)\s*[:：]\s*)+", "", subject or "", flags=re.IGNORECASE).strip()
    base = f"Re: {s}" if s else "Re: 您的来信"
    return f"{base} [工单 {number}]" if number and number not in base else base
