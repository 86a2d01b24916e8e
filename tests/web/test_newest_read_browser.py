"""Reads answered out of order never put back what was before (static/api.js `newestRead`).

A page that reads again on every live message can have two reads in flight; the one asked
first may be answered last. Seen in CI: the wake-up board showed a wake-up escalated after the
operator had recorded it reached, because the board's read asked before the record was answered
after the read asked after it. Run in Chromium on the module the pages import."""

from __future__ import annotations

import pytest

from tests.web.browser_support import logged_in

pytestmark = pytest.mark.browser

SCRIPT = """async () => {
  const { newestRead } = await import("/static/api.js");
  const fresh = newestRead();
  const answer = () => { let settle; const p = new Promise((ok, no) => { settle = { ok, no }; }); return [p, settle]; };
  const [older, answerOlder] = answer();
  const [newer, answerNewer] = answer();
  const [failed, answerFailed] = answer();
  const shown = [];
  const a = fresh(older).then((v) => shown.push(["older asked", v]));
  const b = fresh(newer).then((v) => shown.push(["newer asked", v]));
  answerNewer.ok("reached");
  await b;
  answerOlder.ok("escalated");
  await a;
  // An older read that fails after a newer one was shown gives the newer answer too.
  const c = fresh(failed).then((v) => shown.push(["third asked", v]), (e) => shown.push(["third failed", String(e)]));
  const [fourth, answerFourth] = answer();
  const d = fresh(fourth).then((v) => shown.push(["fourth asked", v]));
  answerFourth.ok("done");
  await d;
  answerFailed.no(new Error("network"));
  await c;
  // In order, each read gives its own answer; a failure of the newest read is reported.
  const [fifth, answerFifth] = answer();
  const e = fresh(fifth).then((v) => shown.push(["fifth asked", v]), (err) => shown.push(["fifth failed", err.message]));
  answerFifth.no(new Error("offline"));
  await e;
  return shown;
}"""


def test_an_older_read_answered_last_gives_the_newer_answer(demo_server: str, browser):
    context, page, errors = logged_in(browser, demo_server, "operator", "/wakeups")
    shown = page.evaluate(SCRIPT)
    assert shown == [
        ["newer asked", "reached"],
        ["older asked", "reached"],
        ["fourth asked", "done"],
        ["third asked", "done"],
        ["fifth failed", "offline"],
    ]
    assert not errors, errors
    context.close()
