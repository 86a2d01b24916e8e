"""Each organisation sees its own: which lines and organisations a user works for, and what belongs
to which (issue 8, point 5). Pure.

The rule, decided once here and applied by every service that answers a console:

* **A line belongs to its organisation.** A user works for the lines assigned to them
  (``User`` ↔ ``Line``, table ``user_lines``) and for the organisations of those lines.
* **An admin works for everything.** So does a user with no line assigned: an installation that
  serves one organisation needs no assignment, and nothing disappears for a user until lines are
  assigned. Assigning lines restricts; a supervisor of two organisations is assigned both lines.
* **What belongs to which:**

  - a directory record (department or handling unit, staff, room, guest, customer, common
    number), a DND, a message, a VIP stay, a wake-up: the organisation it is kept for;
  - a call: its line; a call without a line (an internal call, e.g. from a room) the
    organisation of its identified caller; an unidentified call without a line cannot be told
    apart and is shown to every console, so that no caller is left unanswered;
  - a work order, its callback, a line fault: its line.

* **Call categories offered on a call:** those of its line's kind; on a call without a line, the
  categories of the kinds of the lines the user works for (a room call on a hotel console is
  offered the switchboard's categories, never the 400 or 12345 ones).
* **The handover** of a user who works for exactly one organisation is that organisation's; a
  user who works for several (or everything) prepares the shared handover of all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zongji.domain.calls import LINE_KINDS, Category, categories_for
from zongji.domain.roles import Role


class ScopeError(ValueError):
    """Bad input to the scope rule; ``field`` names what was wrong."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class LineRef:
    """A line as the scope rule needs it."""

    id: int
    code: str
    kind: str
    organisation_id: int


@dataclass(frozen=True)
class WorkScope:
    """The lines (and through them the organisations) one user works for."""

    lines: tuple[LineRef, ...]
    everything: bool = False
    organisations: frozenset[int] = frozenset()  # organisations worked for besides the lines'

    @property
    def line_ids(self) -> frozenset[int]:
        return frozenset(x.id for x in self.lines)

    @property
    def line_codes(self) -> frozenset[str]:
        return frozenset(x.code for x in self.lines)

    @property
    def line_kinds(self) -> tuple[str, ...]:
        """The kinds of the lines worked for, in ``LINE_KINDS`` order."""
        kinds = {x.kind for x in self.lines}
        return tuple(k for k in LINE_KINDS if k in kinds) + tuple(sorted(kinds - set(LINE_KINDS)))

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(x.organisation_id for x in self.lines) | self.organisations

    @property
    def organisation_filter(self) -> frozenset[int] | None:
        """The organisations to filter by, or None: no filter (works for everything)."""
        return None if self.everything else self.organisation_ids

    @property
    def line_filter(self) -> frozenset[int] | None:
        """The line ids to filter by, or None: no filter (works for everything)."""
        return None if self.everything else self.line_ids

    def sees_organisation(self, organisation_id: int | None) -> bool:
        """Whether a record kept for ``organisation_id`` is shown. A record kept for no
        organisation in particular is shown to everyone."""
        return self.everything or organisation_id is None or organisation_id in self.organisation_ids

    def sees_line(self, *, line_id: int | None = None, line_code: str | None = None) -> bool:
        """Whether something of one line (by id or code) is shown."""
        if self.everything:
            return True
        if line_id is not None:
            return line_id in self.line_ids
        if line_code is not None:
            return line_code in self.line_codes
        return True

    def sees_call(self, *, line_id: int | None, caller_organisation_id: int | None) -> bool:
        """A call: by its line; without a line by its caller's organisation; neither: shown."""
        if line_id is not None:
            return self.sees_line(line_id=line_id)
        return self.sees_organisation(caller_organisation_id)

    @property
    def handover_organisation_id(self) -> int | None:
        """The organisation whose handover this user prepares and reads; None: the shared one."""
        orgs = self.organisation_ids
        return next(iter(orgs)) if not self.everything and len(orgs) == 1 else None


def scope_for(role: str, *, assigned: Iterable[LineRef], all_lines: Iterable[LineRef],
              unit_organisation_id: int | None = None) -> WorkScope:
    """The scope of a user with ``role`` and the lines ``assigned`` to them.

    ``all_lines``: every line of the installation. A unit handler works for the lines of their
    unit's organisation (``unit_organisation_id``); nothing when they have no unit.
    """
    every = tuple(sorted(all_lines, key=lambda x: x.id))
    if role == Role.ADMIN:
        return WorkScope(lines=every, everything=True)
    if role == Role.UNIT_HANDLER:
        return WorkScope(lines=tuple(x for x in every if x.organisation_id == unit_organisation_id),
                         organisations=frozenset({unit_organisation_id}) if unit_organisation_id else frozenset())
    known = {x.id for x in every}
    mine = tuple(sorted({x for x in assigned if x.id in known}, key=lambda x: x.id))
    if not mine:
        return WorkScope(lines=every, everything=True)
    return WorkScope(lines=mine)


def organisation_scope(organisation_id: int, all_lines: Iterable[LineRef]) -> WorkScope:
    """What belongs to one organisation: its lines (for a handover kept for that organisation)."""
    lines = tuple(sorted((x for x in all_lines if x.organisation_id == organisation_id), key=lambda x: x.id))
    return WorkScope(lines=lines, organisations=frozenset({organisation_id}))


def categories_offered(line_kind: str | None, scope: WorkScope | None) -> tuple[Category, ...]:
    """The call categories offered on a call of a line of ``line_kind`` (None: a call without a
    line) to a user of ``scope`` (None: nobody in particular, every category)."""
    if line_kind is not None:
        return categories_for(line_kind)
    if scope is None or not scope.line_kinds:
        return categories_for(None)
    seen: dict[str, Category] = {}
    for kind in scope.line_kinds:
        for c in categories_for(kind):
            seen.setdefault(c.code, c)
    return tuple(seen.values())


def check_line_codes(codes: Iterable[str], known: Iterable[str], *, field: str = "lines") -> tuple[str, ...]:
    """Normalise the line codes to assign (trimmed, no duplicates); a ScopeError names ``field``
    and the first unknown code."""
    known_set = set(known)
    out: list[str] = []
    for i, raw in enumerate(codes):
        code = (raw or "").strip() if isinstance(raw, str) else None
        if not code:
            raise ScopeError(f"{field}[{i}]", "a line code is required")
        if code not in known_set:
            raise ScopeError(f"{field}[{i}]", f"no line {code!r}; one of {', '.join(sorted(known_set)) or '—'}")
        if code not in out:
            out.append(code)
    return tuple(out)


__all__ = ["LineRef", "ScopeError", "WorkScope", "categories_offered", "check_line_codes", "organisation_scope",
           "scope_for"]
