/* Available or away (示忙, issue 10 point 2): the operator's own state in the console header.

   F9 (or the button) goes away with the chosen reason, or comes back. The state is the server's
   (/api/presence/me); every tab of the same operator follows it through the live feed (topic
   "presence"), and the wallboard counts it at once. While away, the header shows since when. */

import { api, errorText } from "./api.js";
import { toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtTime } from "./local_time.js";

(function () {
  const box = document.getElementById("presence");
  if (!box) return;  // supervisors and admins do not take calls
  const toggle = document.getElementById("presence-toggle");
  const label = document.getElementById("presence-label");
  const reasonEl = document.getElementById("presence-reason");
  let state = { state: "available", reason: null, since: null };
  let busy = false;
  // Bumped by every change made here: a read of /api/presence/me sent before a change and
  // answered after it is stale and is dropped (seen under load: F9 shown "away", then the page's
  // first read, slower than the change, showed "available" again).
  let changes = 0;

  function render() {
    const away = state.state === "away";
    box.dataset.state = state.state;
    if (away && state.reason) reasonEl.value = state.reason;
    reasonEl.disabled = away;
    const key = away ? "presence.back" : "presence.go_away";
    label.dataset.i18n = key;
    label.textContent = away
      ? t("presence.away_since", { reason: t("presence.reason." + state.reason), time: fmtTime(state.since) })
        + " · " + t(key)
      : t(key);
  }

  async function flip() {
    if (busy) return;
    busy = true;
    changes += 1;
    const body = state.state === "away" ? { state: "available" } : { state: "away", reason: reasonEl.value };
    try {
      state = await api("PUT", "/api/presence/me", body);
      render();
    } catch (e) {
      toast(errorText(e), "error");
    } finally {
      busy = false;
    }
  }

  async function load() {
    const asked = changes;
    try {
      const read = await api("GET", "/api/presence/me");
      if (asked === changes && !busy) { state = read; render(); }
    } catch (e) { /* shown as available */ }
  }

  toggle.addEventListener("click", flip);
  document.addEventListener("keydown", (e) => {
    if (e.key === "F9") { e.preventDefault(); flip(); }
  });
  onLocale(render);
  subscribe(["presence"], (msg) => {
    if (msg.payload && msg.payload.user_id === Number(box.dataset.user)) { state = msg.payload; render(); }
  });
  onOpen(load);
  load();
})();
