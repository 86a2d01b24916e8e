"""SIP URIs as the gateway uses them: the number in a URI, and a URI for a bare extension."""

from __future__ import annotations


def uri_user(uri: str) -> str:
    """The user part of a SIP URI (``sip:8101@pbx`` → ``8101``), else the host:port."""
    rest = uri.split(":", 1)[1] if uri.lower().startswith(("sip:", "sips:")) else uri
    rest = rest.split(";", 1)[0].strip("<>")
    return rest.split("@", 1)[0] if "@" in rest else rest


def target_uri(target: str, domain: str | None, registrar: str | None) -> str:
    """A SIP URI for ``target``: a URI as given; ``8101`` → ``sip:8101@<domain or PBX>``."""
    t = target.strip()
    if t.lower().startswith(("sip:", "sips:", "tel:")):
        return t
    if "@" in t:
        return f"sip:{t}"
    host = domain or (registrar.split(":", 1)[1].split(";", 1)[0] if registrar else None)
    if not host:
        raise ValueError(f"{target!r} is not a SIP URI and no PBX/domain is configured")
    return f"sip:{t}@{host}"
