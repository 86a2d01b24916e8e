/* The guest-service centre's wake-up door tasks on the units' portal (/unit; R-H9): rooms whose
   wake-up call was not confirmed, with the room, floor, wake time and minutes late so far, first on
   the page. "Guest awake" records the guest reached at the door (who, when, minutes late) and
   closes the wake-up everywhere; "No answer — escalate to duty manager" records who and when and
   the minutes late and puts the room on every operator's console to call the duty manager; the
   task stays until the guest is awake. Loaded from GET /api/wakeups/tasks on page load and every
   (re)connection of /api/live; new, changed and closed tasks arrive live (topic wakeup_task).
   Only shown to the handlers of the unit the tasks are addressed to (config.wakeup_knock). */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtStamp } from "./local_time.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins

(function () {
  if (!config.user || !config.wakeup_knock) return;
  let items = [], offset = 0, box = null, timer = null;

  function late(iso) {
    const wake = Date.parse(iso);
    return isNaN(wake) ? 0 : Math.max(0, Math.floor((Date.now() + offset - wake) / 60000));
  }
  const who = (actor) => (actor || "").replace(/^user:/, "");

  async function act(x, what, btn) {
    btn.disabled = true;
    try {
      if (what === "done") {
        const w = await api("POST", "/api/wakeups/tasks/" + x.id + "/done");
        toast(t("wk.knock.awake_ok", { room: w.room, n: w.minutes_late }), "ok");
      } else {
        const task = await api("POST", "/api/wakeups/tasks/" + x.id + "/no-response");
        toast(t("wk.knock.manager_ok", { room: task.room, n: task.no_response_minutes_late }), "ok");
      }
      load();
    } catch (e) { btn.disabled = false; toast(errorText(e), "error"); }
  }

  function render() {
    if (!box) return;
    const head = el("tr", null, ...["room", "floor", "wake", "late", "state", "actions"].map((c) => el("th", null, t("wk.knock.col." + c))));
    const rows = items.map((x) => el("tr", { "data-task": x.id, class: x.no_response_at ? "wk-knock-manager" : "" },
      el("td", { class: "wk-knock-room" }, x.room),
      el("td", null, x.floor === null || x.floor === undefined ? "" : String(x.floor)),
      el("td", { class: "mono" }, x.local_time || ""),
      el("td", { class: "wk-knock-late" }, t("wk.knock.late", { n: late(x.wake_at) })),
      el("td", null, x.no_response_at
        ? t("wk.knock.state.manager", { by: x.no_response_by_name || who(x.no_response_by), at: fmtStamp(x.no_response_at).slice(11, 16), n: x.no_response_minutes_late })
        : t("wk.knock.state.open")),
      el("td", { class: "wk-knock-actions" },
        el("button", { type: "button", class: "btn btn-primary wk-knock-awake", onclick: (e) => act(x, "done", e.currentTarget) }, t("wk.knock.awake")),
        x.no_response_at ? null : el("button", { type: "button", class: "btn wk-knock-noresp", onclick: (e) => act(x, "no_response", e.currentTarget) }, t("wk.knock.no_response")))));
    box.classList.toggle("has-tasks", items.length > 0);
    box.replaceChildren(
      el("h2", { class: "wk-knock-title" }, t("wk.knock.title"), " ", el("span", { class: "wk-knock-count", id: "wk-knock-count" }, String(items.length))),
      el("p", { class: "muted small" }, t("wk.knock.hint")),
      items.length
        ? el("table", { class: "data-table", id: "wk-knock-table" }, el("thead", null, head), el("tbody", null, ...rows))
        : el("div", { class: "empty", id: "wk-knock-empty" }, t("wk.knock.empty")));
  }

  async function load() {
    let data;
    try { data = await freshRead(api("GET", "/api/wakeups/tasks?kind=knock_on_door")); } catch (e) { return; }
    const now = Date.parse(data.now);
    offset = isNaN(now) ? 0 : now - Date.now();
    items = data.items || [];
    render();
  }
  function loadSoon() { clearTimeout(timer); timer = setTimeout(load, 200); }

  function connect() {
    onOpen(load);  // anything missed while disconnected
    subscribe(["wakeup_task", "notification"], (msg) => {
      if (msg.topic === "wakeup_task" || (msg.payload && msg.payload.kind === "wakeup_knock")) loadSoon();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const main = document.getElementById("wo-list");
    if (!main) return;
    document.head.append(el("style", null, [
      "#wk-knock{margin:0 0 16px;padding:10px 12px;border:1px solid var(--line,#ddd);border-radius:6px}",
      "#wk-knock.has-tasks{border:2px solid #b42318;background:#fff5f4}",
      ".wk-knock-title{margin:0 0 4px;font-size:16px}",
      ".wk-knock-count{display:inline-block;min-width:20px;padding:0 6px;border-radius:10px;background:#b42318;color:#fff;text-align:center}",
      "#wk-knock:not(.has-tasks) .wk-knock-count{background:#999}",
      ".wk-knock-room{font-weight:700;font-size:16px}",
      ".wk-knock-late{font-weight:600;color:#b42318;white-space:nowrap}",
      ".wk-knock-actions{white-space:nowrap}.wk-knock-actions .btn{margin-right:6px}",
      "tr.wk-knock-manager td{background:#fde8e6}",
    ].join("\n")));
    box = el("section", { id: "wk-knock", "aria-live": "polite" });
    main.prepend(box);
    render();
    load();
    connect();
    onLocale(render);
    setInterval(render, 20000);
  });
})();
