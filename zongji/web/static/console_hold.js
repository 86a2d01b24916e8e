/* Hold and special situations in the console (R-P9, R-S15; issue 11 point 8).

   Keys: Alt+H asks for the caller's consent to hold; Alt+Y confirms the caller agreed (the hold
   is recorded on the call: POST /api/calls/{id}/hold); every config.hold.checkin_seconds the
   "still checking" script is shown; past config.hold.callback_after_seconds ending with a
   callback is proposed (the number to read back is shown) and Alt+Y (the caller agreed) ends the
   hold and creates the callback work order from the call (POST /api/calls/{id}/hold/callback,
   the number read back as the contact); Alt+H again ends the hold.
   Alt+G steps through the silent-caller sequence, Alt+Q the caller-who-does-not-hang-up
   sequence, each line shown after its pause; Esc closes the panel. Times come from the page
   config (settings), the clock is the page's own, so tests control it. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { el, toast } from "./dom.js";
import { t } from "./i18n.js";

const H = config.hold || {};
const CHECKIN = (H.checkin_seconds || 30) * 1000;
const CALLBACK_AFTER = (H.callback_after_seconds || 60) * 1000;
const SILENT = [["hold.silent.1", H.silent_pause_seconds || 3], ["hold.silent.2", H.silent_pause_seconds || 3],
  ["hold.silent.3", H.silent_close_pause_seconds || 2], ["hold.silent.4", 0]];
const NO_HANGUP = [["hold.nohangup.1", H.no_hangup_pause_seconds || 3],
  ["hold.nohangup.2", H.no_hangup_pause_seconds || 3], ["hold.nohangup.3", 0]];

const panel = el("div", { id: "hold-panel", class: "hold-panel", role: "status", "aria-live": "polite", hidden: true });
document.body.append(panel);
let state = null;  // { mode: "consent" | "hold" | "steps", callId, started, timer, ... }

const kbd = (k) => el("kbd", null, k);
const selectedRow = () => document.querySelector(".call-row.selected");

function show(...children) { panel.hidden = false; panel.replaceChildren(...children); }
function close() {
  if (state && state.timer) clearInterval(state.timer);
  state = null; panel.hidden = true; panel.replaceChildren();
}

function askConsent() {
  const row = selectedRow();
  if (!row) { toast(t("hold.no_call"), "error"); return; }
  state = { mode: "consent", callId: row.dataset.id };
  show(el("div", { class: "hold-title" }, t("hold.ask_consent")),
    el("div", { class: "hold-script" }, t("hold.consent_script")),
    el("div", { class: "small" }, kbd("Alt+Y"), " ", t("hold.agreed"), "  ", kbd("Esc"), " ", t("hold.cancel")));
}

function renderHold() {
  const s = state;
  const elapsed = Date.now() - s.started;
  const secs = Math.floor(elapsed / 1000);
  const parts = [el("div", { class: "hold-title" }, t("hold.on_hold", { s: secs }))];
  if (elapsed >= CALLBACK_AFTER) {
    const number = (selectedRow() && selectedRow().querySelector(".row-number")) ?
      selectedRow().querySelector(".row-number").textContent : "";
    s.number = number;
    parts.push(el("div", { class: "hold-script hold-callback" }, t("hold.callback_script", { number })));
    parts.push(el("div", { class: "small" }, kbd("Alt+Y"), " ", t("hold.callback_create")));
  } else if (secs >= CHECKIN / 1000) {
    parts.push(el("div", { class: "hold-script hold-checkin" }, t("hold.checkin_script")));
  }
  parts.push(el("div", { class: "small" }, kbd("Alt+H"), " ", t("hold.end")));
  show(...parts);
}

async function startHold() {
  const callId = state.callId;
  try { await api("POST", `/api/calls/${callId}/hold`, { consent: true }); }
  catch (e) { toast(errorText(e), "error"); close(); return; }
  state = { mode: "hold", callId, started: Date.now(), timer: setInterval(() => renderHold(), 1000) };
  renderHold();
}

async function endHold() {
  const callId = state.callId;
  close();
  try { await api("POST", `/api/calls/${callId}/hold/end`); } catch (e) { toast(errorText(e), "error"); }
}

async function callbackFromHold() {
  const { callId, number } = state;
  close();
  try {
    const r = await api("POST", `/api/calls/${callId}/hold/callback`, { number: number || null });
    toast(t("hold.callback_created", { order: r.order_number, number: r.callback_number }), "ok");
  } catch (e) { toast(errorText(e), "error"); }
}

function steps(list, titleKey) {
  close();
  state = { mode: "steps", index: 0, due: 0, timer: null };
  const render = () => {
    const [key, pause] = list[state.index];
    show(el("div", { class: "hold-title" }, t(titleKey)), el("div", { class: "hold-script" }, t(key)),
      el("div", { class: "small" }, pause ? t("hold.next_in", { s: Math.max(0, Math.ceil((state.due - Date.now()) / 1000)) }) : t("hold.hang_up"),
        "  ", kbd("Esc"), " ", t("hold.cancel")));
  };
  state.due = Date.now() + list[0][1] * 1000;
  state.timer = setInterval(() => {
    if (list[state.index][1] && Date.now() >= state.due) {
      state.index += 1;
      state.due = Date.now() + list[state.index][1] * 1000;
    }
    render();
  }, 250);
  render();
}

document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && state) { if (state.mode === "hold") return; close(); return; }
  if (!e.altKey || e.ctrlKey) return;
  if (e.code === "KeyH") {
    e.preventDefault();
    if (state && state.mode === "hold") endHold(); else askConsent();
  } else if (e.code === "KeyY" && state && state.mode === "consent") {
    e.preventDefault(); startHold();
  } else if (e.code === "KeyY" && state && state.mode === "hold" && Date.now() - state.started >= CALLBACK_AFTER) {
    e.preventDefault(); callbackFromHold();
  } else if (e.code === "KeyG") {
    e.preventDefault(); steps(SILENT, "hold.silent.title");
  } else if (e.code === "KeyQ") {
    e.preventDefault(); steps(NO_HANGUP, "hold.nohangup.title");
  }
});
