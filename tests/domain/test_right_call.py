"""The right call (issue 8 point 4): which calls wait in the incoming queue, which may be closed,
and whose note a ringing call takes. Pure rules."""

from __future__ import annotations

from zongji.domain.calls import close_refusal, in_incoming_queue, wrapup_refusal


def test_only_an_inbound_ringing_call_waits_in_the_queue():
    assert in_incoming_queue("in", "ringing") and in_incoming_queue("internal", "ringing")
    assert not in_incoming_queue("out", "ringing")  # dialling out: it rings the called party
    assert not in_incoming_queue("in", "answered") and not in_incoming_queue("in", "ended")


def test_a_ringing_call_is_never_closed():
    assert close_refusal("ringing") == "call_ringing"
    assert close_refusal("answered") is None and close_refusal("ended") is None


def test_a_ringing_calls_note_is_the_takers():
    assert wrapup_refusal("ringing", None, 7) == "call_not_taken"
    assert wrapup_refusal("ringing", 8, 7) == "call_not_taken"
    assert wrapup_refusal("ringing", 7, 7) is None
    assert wrapup_refusal("answered", None, 7) is None and wrapup_refusal("ended", 8, 7) is None
