/* The handover log (交接班本， R-H13): the current handover assembled live (DND, messages not yet
   picked up, VIPs, faults, entries), free-text entries, sign-off by the outgoing shift,
   acknowledgement by the incoming one, past handovers searchable and printable. */

import { api, errorText, newestRead } from "./api.js";
import { $, el, toast } from "./dom.js";
import { locale, onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtStamp } from "./local_time.js";
// Read again on live messages and after changes: the newest read wins (api.newestRead).
const freshCurrent = newestRead();
const freshSigned = newestRead();

const L = (o) => (o ? (locale === "en" ? o.en || o.zh : o.zh || o.en) : "");
let shown = null;   // the handover on screen
let viewingPast = false;

function stamp(iso) { return iso ? fmtStamp(iso).slice(0, 16) : ""; }

function render(h, mineWaiting) {
  shown = h;
  $("ho-heading").textContent = viewingPast ? t("ho.past_one") : t("ho.current");
  $("ho-label").textContent = h.shift_label;
  $("ho-state").textContent = t("ho.state." + h.state);
  $("ho-state").className = "badge ho-state " + (h.state === "acknowledged" ? "o-answered" : h.state === "signed_off" ? "o-transferred" : "o-open");
  $("ho-back").hidden = !viewingPast;
  // Signed by this user and waiting for the incoming shift: shown as handed over, nothing to
  // sign or add until it is acknowledged (issue 8, point 7).
  $("ho-signoff").hidden = viewingPast || !!mineWaiting;
  $("ho-entry").hidden = viewingPast || !!mineWaiting;
  $("ho-print").hidden = !h.id || h.state === "draft";
  if (h.id) $("ho-print").href = "/handover/" + h.id + "/print";
  const meta = el("div", { class: "ho-meta" },
    h.assembled_at ? el("span", null, t("ho.assembled_at"), " ", stamp(h.assembled_at)) : null,
    h.signed_off_by ? el("span", null, t("ho.signed_off_by"), ": ", h.signed_off_by, " ", stamp(h.signed_off_at)) : null,
    h.acknowledged_by ? el("span", null, t("ho.acknowledged_by"), ": ", h.acknowledged_by, " ", stamp(h.acknowledged_at)) : null,
    el("span", null, t("ho.items", { n: h.item_count })));
  const sections = h.sections.map((s) => el("div", { class: "ho-section", dataset: { key: s.key } },
    el("h3", null, L(s.title), el("span", { class: "sb-count" }, s.items.length)),
    s.items.length ? el("ul", { class: "ho-items" }, s.items.map((it) => el("li", { class: it.urgent ? "urgent" : "" }, L(it.text))))
      : el("div", { class: "ho-none" }, t("ho.empty_section"))));
  $("ho-view").replaceChildren(meta, ...sections);
  const w = h.awaiting_acknowledgement;
  $("ho-waiting").hidden = viewingPast || !w;
  $("ho-ack").hidden = !w || !!w.mine;
  if (w) $("ho-waiting-text").textContent = t(w.mine ? "ho.mine_waiting" : "ho.waiting", { label: w.shift_label, who: w.signed_off_by || "", at: stamp(w.signed_off_at) });
  if (mineWaiting) { $("ho-state").textContent = t("ho.state.signed_off_waiting"); $("ho-state").className = "badge ho-state o-transferred"; }
}

async function loadCurrent() {
  viewingPast = false;
  try {
    const cur = await freshCurrent(api("GET", "/api/handover/current"));
    const w = cur.awaiting_acknowledgement;
    if (w && w.mine) {
      const signed = await freshSigned(api("GET", "/api/handover/" + w.id));
      render({ ...signed, awaiting_acknowledgement: w }, true);
    } else render(cur);
  } catch (e) { toast(errorText(e), "error"); }
}
async function loadPast(id) {
  viewingPast = true;
  try { render(await api("GET", "/api/handover/" + id)); } catch (e) { toast(errorText(e), "error"); }
  document.querySelectorAll("#ho-list li").forEach((li) => li.classList.toggle("on", li.dataset.id === String(id)));
}

let searchTimer = null;
async function search() {
  const params = new URLSearchParams();
  const q = $("ho-q").value.trim();
  if (q) params.set("q", q);
  if ($("ho-from").value) params.set("date_from", $("ho-from").value);
  if ($("ho-to").value) params.set("date_to", $("ho-to").value);
  try {
    const r = await api("GET", "/api/handover?" + params.toString());
    $("ho-list").replaceChildren(...r.items.map((h) => el("li", { dataset: { id: h.id }, onclick: () => loadPast(h.id) },
      el("b", null, h.shift_label), " ", el("span", { class: "badge " + (h.state === "acknowledged" ? "o-answered" : "o-transferred") }, t("ho.state." + h.state)),
      el("div", { class: "muted small" }, t("ho.signed_off_by"), ": ", h.signed_off_by || "", " ", stamp(h.signed_off_at),
        h.acknowledged_by ? " · " + t("ho.acknowledged_by") + ": " + h.acknowledged_by : ""))));
    $("ho-list-empty").hidden = r.items.length > 0;
  } catch (e) { toast(errorText(e), "error"); }
}

async function addEntry(e) {
  e.preventDefault();
  const text = $("ho-text").value;
  try {
    render(await api("POST", "/api/handover/current/entries", { text, section: $("ho-section").value }));
    $("ho-text").value = "";
    toast(t("ho.added"), "ok");
  } catch (err) { toast(errorText(err), "error"); $("ho-text").focus(); }
}
async function signOff() {
  if (!confirm(t("ho.confirm_sign_off"))) return;
  try {
    await api("POST", "/api/handover/current/sign-off");
    toast(t("ho.signed"), "ok");
    await loadCurrent();
    search();
  } catch (e) { toast(errorText(e), "error"); }
}
async function acknowledge() {
  const w = shown && shown.awaiting_acknowledgement;
  if (!w) return;
  try {
    await api("POST", "/api/handover/" + w.id + "/acknowledge");
    toast(t("ho.acknowledged"), "ok");
    await loadCurrent();
    search();
  } catch (e) { toast(errorText(e), "error"); }
}

function live() {
  let first = true;
  onOpen(() => {  // after a lost connection: what changed meanwhile
    if (first) { first = false; return; }
    if (!viewingPast) loadCurrent();
    search();
  });
  subscribe(["dnd", "message", "fault", "handover", "wakeup", "work_order"], (msg) => {
    if (!viewingPast) loadCurrent();
    if (msg.topic === "handover") search();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("ho-entry").addEventListener("submit", addEntry);
  $("ho-text").addEventListener("keydown", (e) => { if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); $("ho-entry").requestSubmit(); } });
  $("ho-signoff").addEventListener("click", signOff);
  $("ho-ack").addEventListener("click", acknowledge);
  $("ho-back").addEventListener("click", loadCurrent);
  // Sign off in two keys (Alt+S, Enter to confirm); acknowledge in one (Alt+K) — issue 8, 8.
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.code === "KeyS" && !$("ho-signoff").hidden) { e.preventDefault(); signOff(); }
    else if (e.code === "KeyK" && !$("ho-waiting").hidden && !$("ho-ack").hidden) { e.preventDefault(); acknowledge(); }
  });
  $("ho-search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(search, 200); });
  $("ho-search").addEventListener("submit", (e) => { e.preventDefault(); search(); });
  onLocale(() => (viewingPast && shown ? render(shown) : loadCurrent()));
  loadCurrent();
  search();
  live();
});
