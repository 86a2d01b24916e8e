/* The PMS link page (issue 16), /settings/pms: the FIAS link's state (up, down, connecting, never
   started) and since when, the last record each way, the last database resync, the records
   waiting for the PMS, the postings not yet posted and the last error. Data: /api/fias/status.
   Live: topics fias_link and alert reload it, and it looks again every 5 s; R reloads by hand. */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { $, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtStamp } from "./local_time.js";
import { clearFieldErrors } from "./form_errors.js";
// Read again on live messages and after changes: the newest read wins (api.newestRead).
const freshStatus = newestRead();

(function () {
  const root = document.getElementById("fias-page");
  if (!root) return;
  let last = null;

  function render(s) {
    last = s;
    const state = $("fias-state");
    state.dataset.state = s.state;
    state.textContent = t("fias.state." + s.state);
    $("fias-mode").textContent = t("fias.mode." + (s.mode || config.fias_mode));
    $("fias-peer").textContent = s.peer || config.fias_address || "";
    const since = s.state === "up" ? s.up_since : s.down_since;
    $("fias-since").textContent = since ? fmtStamp(since) : "";
    $("fias-received").textContent = s.last_received_at ? fmtStamp(s.last_received_at) : "—";
    $("fias-sent").textContent = s.last_sent_at ? fmtStamp(s.last_sent_at) : "—";
    $("fias-resync").textContent = s.resync_done_at ? fmtStamp(s.resync_done_at)
      : (s.resync_started_at ? t("fias.resync_running") : "—");
    $("fias-outbox").textContent = t("fias.outbox_count", { n: s.outbox.pending })
      + (s.outbox.oldest_pending ? " · " + t("fias.oldest", { at: fmtStamp(s.outbox.oldest_pending) }) : "");
    const p = s.postings || {};
    $("fias-postings").textContent = t("fias.postings_count", { queued: (p.queued || 0) + (p.sent || 0), refused: p.refused || 0 });
    $("fias-error").textContent = s.last_error || "—";
    const banner = $("fias-banner");
    banner.hidden = !s.alerted;
    banner.textContent = s.alerted ? t("fias.alert", { since: fmtStamp(s.down_since) }) : "";
  }

  async function load() {
    clearFieldErrors(root);
    try {
      render(await freshStatus(api("GET", "/api/fias/status")));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  document.addEventListener("keydown", (e) => {
    if (e.key === "r" && !e.altKey && !e.ctrlKey && !e.metaKey && !(e.target instanceof HTMLInputElement)) load();
  });
  subscribe(["fias_link", "alert"], load);
  onOpen(load);
  onLocale(() => last && render(last));
  load();
  // The outbox and the traffic change without a feed message: look again every few seconds.
  setInterval(() => { if (!document.hidden) load(); }, 5000);
})();
