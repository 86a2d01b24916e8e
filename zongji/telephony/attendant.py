"""The switchboard number's automatic attendant: greeting, key menu, blind transfer.

A first step toward R-O1. When ``zongji sip --attendant`` is set the gateway answers incoming
calls to the switchboard number, plays a greeting with the time of day in Chinese and English
(R-H1: "早上好,示例大酒店。预订请按1,总台请按2,人工服务请按0。" / "Good morning, Example Grand
Hotel. For reservations press 1, …"), reads one DTMF key (RFC 2833 or SIP INFO) and transfers the
caller (REFER) to the target of that key:

* no key within ``key_timeout`` seconds after the greeting → the greeting once more
  (``repeats``), then the operator;
* a key that is not on the menu → "对不起,您的输入有误" / "Sorry, …" and the greeting again; after
  ``max_invalid`` wrong keys, the operator;
* a transfer the target refuses (REFER rejected, NOTIFY with a failure) → the operator; if the
  operator's transfer fails too, the call ends.

This module is pure apart from prompt synthesis (:class:`AttendantPrompts`): the menu, its file
format, the prompt texts and the decision machine (:class:`MenuSession`). The SIP side
(answering the call, playing the prompts, carrying out the session's actions) lives in
:mod:`zongji.telephony.sip_attendant`.

Menu file (JSON or TOML, chosen by the suffix)::

    number = "8000"                # the switchboard number to answer ("*": any)
    hotel_zh = "示例大酒店"
    hotel_en = "Example Grand Hotel"
    operator_key = "0"
    key_timeout = 5                # seconds after the greeting
    repeats = 1                    # greetings repeated when no key was pressed
    [keys.1]
    target = "sip:6001@pbx.example.org"
    zh = "预订"
    en = "reservations"
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from zongji.domain.greeting import DEFAULT_PERIODS, DayPeriods, greeting_phrase_en, greeting_phrase_zh

DTMF_KEYS = frozenset("0123456789*#")
_SIP_USER = re.compile(r"sips?:([^@;>\s]+)@", re.IGNORECASE)


def sip_user(uri: str) -> str:
    """The user part of a URI in any form (``"Guest" <sip:8101@host>;tag=x`` → ``8101``)."""
    m = _SIP_USER.search(uri or "")
    if m:
        return m.group(1)
    rest = (uri or "").strip().strip("<>")
    rest = rest.split(":", 1)[1] if rest.lower().startswith(("sip:", "sips:", "tel:")) else rest
    return rest.split(";", 1)[0].split("@", 1)[0].strip("<>")


class MenuError(ValueError):
    """A menu that cannot work (no operator, bad key, no target)."""


@dataclass(frozen=True)
class MenuOption:
    key: str
    target: str  # SIP URI or bare extension (resolved by the gateway's domain/registrar)
    zh: str = ""
    en: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "target": self.target, "zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class AttendantMenu:
    options: tuple[MenuOption, ...]
    operator_key: str = "0"
    number: str = "*"  # called number (user part of To:) to answer; "*" answers any
    hotel_zh: str = "示例大酒店"
    hotel_en: str = "Example Grand Hotel"
    key_timeout: float = 5.0
    repeats: int = 1
    max_invalid: int = 3
    transfer_timeout: float = 30.0  # REFER sent → final NOTIFY
    greeting_wav: str | None = None  # a fixed recording instead of the synthesized greeting

    def __post_init__(self) -> None:
        keys = [o.key for o in self.options]
        if not keys:
            raise MenuError("the attendant menu has no keys")
        for o in self.options:
            if o.key not in DTMF_KEYS or len(o.key) != 1:
                raise MenuError(f"menu key {o.key!r} is not one DTMF key (0-9, *, #)")
            if not o.target.strip():
                raise MenuError(f"menu key {o.key} has no target")
        if len(set(keys)) != len(keys):
            raise MenuError("a menu key is given twice")
        if self.operator_key not in keys:
            raise MenuError(f"the menu needs the operator key {self.operator_key!r} (no key, "
                            "wrong keys and failed transfers go to the operator)")
        if self.key_timeout <= 0 or self.repeats < 0 or self.max_invalid < 0:
            raise MenuError("key_timeout must be > 0, repeats and max_invalid >= 0")

    def option(self, key: str) -> MenuOption | None:
        return next((o for o in self.options if o.key == key), None)

    @property
    def operator(self) -> MenuOption:
        return self.option(self.operator_key)  # type: ignore[return-value]

    def accepts(self, called: str) -> bool:
        return self.number in ("*", "") or sip_user(called) == self.number or called == self.number

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "operator_key": self.operator_key,
                "hotel_zh": self.hotel_zh, "hotel_en": self.hotel_en,
                "key_timeout": self.key_timeout, "repeats": self.repeats,
                "max_invalid": self.max_invalid, "transfer_timeout": self.transfer_timeout,
                "keys": [o.to_dict() for o in self.options]}


def parse_option(spec: str) -> MenuOption:
    """``KEY=TARGET[|中文标签[|English label]]``, e.g. ``1=sip:6001@pbx|预订|reservations``."""
    if "=" not in spec:
        raise MenuError(f"menu option {spec!r}: expected KEY=TARGET[|zh label[|en label]]")
    key, rest = spec.split("=", 1)
    parts = rest.split("|")
    return MenuOption(key.strip(), parts[0].strip(), (parts[1] if len(parts) > 1 else "").strip(),
                      (parts[2] if len(parts) > 2 else "").strip())


def load_menu_file(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if p.suffix.lower() == ".toml":
        return tomllib.loads(text)
    return json.loads(text)


_FIELDS = ("operator_key", "number", "hotel_zh", "hotel_en", "key_timeout", "repeats",
           "max_invalid", "transfer_timeout", "greeting_wav")


def menu_from(data: Mapping[str, Any] | None = None, options: Sequence[MenuOption] = (),
              **overrides: Any) -> AttendantMenu:
    """A menu from a file's data (``keys`` as a table key → {target, zh, en} or a list of
    {key, target, zh, en}), extra ``options`` (they win per key) and overrides (None ignored)."""
    data = dict(data or {})
    found: dict[str, MenuOption] = {}
    keys = data.get("keys") or {}
    items = keys.items() if isinstance(keys, Mapping) else ((k.get("key"), k) for k in keys)
    for key, spec in items:
        if isinstance(spec, str):
            spec = {"target": spec}
        found[str(key)] = MenuOption(str(key), str(spec.get("target") or ""),
                                     str(spec.get("zh") or ""), str(spec.get("en") or ""))
    for o in options:
        found[o.key] = o
    kwargs = {k: data[k] for k in _FIELDS if k in data}
    kwargs.update({k: v for k, v in overrides.items() if v is not None})
    if "number" in kwargs:
        kwargs["number"] = str(kwargs["number"])
    if "operator_key" in kwargs:
        kwargs["operator_key"] = str(kwargs["operator_key"])
    return AttendantMenu(options=tuple(found[k] for k in sorted(found, key=_key_order)), **kwargs)


def _key_order(k: str) -> tuple[int, str]:
    # 1…9 first, then 0, *, # (the order a caller hears them)
    return ("1234567890*#".index(k) if k in "1234567890*#" else 99, k)


# --------------------------------------------------------------------------------------------
# What the caller hears


def greeting_texts(menu: AttendantMenu, local: dt.time,
                   periods: DayPeriods = DEFAULT_PERIODS) -> list[tuple[str, str]]:
    zh_items = "，".join(f"{o.zh or o.key}请按{o.key}" for o in menu.options)
    en_items = ", ".join(f"for {o.en or o.zh or 'option ' + o.key} press {_en_key(o.key)}"
                         for o in menu.options)
    zh = f"{greeting_phrase_zh(local, periods)}，{menu.hotel_zh}。{zh_items}。"
    en = f"{greeting_phrase_en(local, periods)}, {menu.hotel_en}. {en_items[0].upper()}{en_items[1:]}."
    return [("zh", zh), ("en", en)]


def _en_key(k: str) -> str:
    return {"*": "star", "#": "hash"}.get(k, k)


INVALID_TEXTS = [("zh", "对不起，您的输入有误。"), ("en", "Sorry, that is not a valid choice.")]
TRANSFER_TEXTS = [("zh", "请稍等，正在为您转接。"), ("en", "Please hold, we are connecting you.")]


def period_key(local: dt.time, periods: DayPeriods = DEFAULT_PERIODS) -> str:
    """Which greeting variant applies: the pair of time-of-day phrases, as a short key."""
    zh = {"早上好": "morning", "中午好": "noon", "下午好": "afternoon", "晚上好": "evening"}[
        greeting_phrase_zh(local, periods)]
    en = greeting_phrase_en(local, periods).split()[-1]
    return zh if zh == en else f"{zh}-{en}"


class AttendantPrompts:
    """The attendant's WAVs, prepared before the first call (synthesis never runs on the SIP
    thread). Admin uploads override: ``attendant-<period>`` (whole greeting, periods
    ``morning``, ``noon-morning``, ``noon-afternoon``, ``afternoon``, ``evening``) or
    ``attendant-<period>-zh|en``; ``attendant-invalid``; ``attendant-transfer``."""

    def __init__(self, menu: AttendantMenu, store, tz: dt.tzinfo | None = None,
                 periods: DayPeriods = DEFAULT_PERIODS):
        self.menu = menu
        self.tz = tz
        self.periods = periods
        self.greetings: dict[str, str] = {}
        if menu.greeting_wav:
            self.fixed: str | None = str(menu.greeting_wav)
        else:
            self.fixed = None
            for hour in range(24):
                for minute in (0, 30):
                    t = dt.time(hour, minute)
                    k = period_key(t, periods)
                    if k not in self.greetings:
                        self.greetings[k] = str(store.prompt(
                            f"attendant-{k}", greeting_texts(menu, t, periods)))
            # Period boundaries that are not on the half hour
            for b in (periods.morning_start, periods.noon_start, periods.afternoon_start,
                      periods.evening_start, periods.en_afternoon_start):
                k = period_key(b, periods)
                if k not in self.greetings:
                    self.greetings[k] = str(store.prompt(
                        f"attendant-{k}", greeting_texts(menu, b, periods)))
        self.invalid = str(store.prompt("attendant-invalid", INVALID_TEXTS))
        self.transferring = str(store.prompt("attendant-transfer", TRANSFER_TEXTS))

    def greeting(self, now: dt.datetime | None = None) -> str:
        if self.fixed:
            return self.fixed
        now = now or dt.datetime.now(dt.timezone.utc)
        local = now.astimezone(self.tz) if self.tz else now.astimezone()
        t = local.time().replace(tzinfo=None)
        k = period_key(t, self.periods)
        return self.greetings.get(k) or next(iter(self.greetings.values()))


# --------------------------------------------------------------------------------------------
# The decision machine (one per call)


@dataclass(frozen=True)
class Action:
    kind: str  # "greeting" | "invalid" (then the greeting) | "transfer" | "hangup"
    option: MenuOption | None = None
    reason: str = ""


@dataclass
class MenuSession:
    menu: AttendantMenu
    greetings_played: int = 0
    invalid_keys: int = 0
    keys: list[str] = field(default_factory=list)
    chosen: MenuOption | None = None
    tried: list[str] = field(default_factory=list)  # keys whose transfer was attempted

    def start(self) -> Action:
        self.greetings_played = 1
        return Action("greeting")

    def on_key(self, key: str) -> Action | None:
        if self.chosen is not None:
            return None  # a transfer is under way: keys no longer count
        self.keys.append(key)
        opt = self.menu.option(key)
        if opt is not None:
            return self._transfer(opt, "key")
        self.invalid_keys += 1
        if self.invalid_keys > self.menu.max_invalid:
            return self._transfer(self.menu.operator, "invalid keys")
        return Action("invalid", reason=f"key {key} not on the menu")

    def on_greeting_replayed(self) -> None:
        """After an invalid key the greeting is played again: a fresh chance for no-key repeats."""
        self.greetings_played = max(self.greetings_played, 1)

    def on_timeout(self) -> Action | None:
        if self.chosen is not None:
            return None
        if self.greetings_played <= self.menu.repeats:
            self.greetings_played += 1
            return Action("greeting", reason="no key")
        return self._transfer(self.menu.operator, "no key")

    def on_transfer_failed(self) -> Action:
        op = self.menu.operator
        if self.chosen is not None and self.chosen.key != op.key and op.key not in self.tried:
            return self._transfer(op, "transfer failed")
        return Action("hangup", reason="transfer failed")

    def _transfer(self, opt: MenuOption, reason: str) -> Action:
        self.chosen = opt
        self.tried.append(opt.key)
        return Action("transfer", opt, reason)


@dataclass(frozen=True)
class Attendant:
    """What the gateway needs to run the attendant: the menu and its prepared prompts."""

    menu: AttendantMenu
    prompts: AttendantPrompts

    @classmethod
    def prepare(cls, menu: AttendantMenu, store, tz: dt.tzinfo | None = None) -> "Attendant":
        return cls(menu, AttendantPrompts(menu, store, tz))

    def with_menu(self, **changes: Any) -> "Attendant":
        """The same attendant with menu settings changed (prompts kept; a new
        ``greeting_wav`` replaces the synthesized greeting)."""
        prompts = self.prompts
        if "greeting_wav" in changes:
            prompts = copy.copy(prompts)
            prompts.fixed = str(changes["greeting_wav"]) if changes["greeting_wav"] else None
            if prompts.fixed is None and not prompts.greetings:
                raise MenuError("no synthesized greeting to fall back to: prepare() again")
        return Attendant(replace(self.menu, **changes), prompts)


__all__ = ["Action", "Attendant", "AttendantMenu", "AttendantPrompts", "MenuError", "MenuOption",
           "MenuSession", "greeting_texts", "load_menu_file", "menu_from", "parse_option",
           "sip_user"]
