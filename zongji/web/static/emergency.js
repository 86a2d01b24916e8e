/* The emergency board (/emergency, issue 14): the emergencies, and for the one chosen
   (?id=…) each person's state live (calling, acknowledged with time and channel, no answer,
   busy, failed, deputy called), acknowledging on someone's behalf with a note, updates to
   everyone told, the all-clear, and the timeline with times — printed as the incident record. */

import { api, errorText, newestRead } from "./api.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtStamp } from "./local_time.js";
import { openStart, placeText } from "./emergency_bar.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins
const freshRead2 = newestRead();  // reads again on live messages: the newest read wins

let current = null, list = [];

function selectedId() { return Number(new URLSearchParams(location.search).get("id")) || null; }

async function loadList() {
  list = await freshRead(api("GET", "/api/emergency/incidents"));
  $("em-list").replaceChildren(...list.map((x) => el("li", {
    class: (x.status === "started" ? "started " : "") + (current && current.id === x.id ? "on" : ""),
    dataset: { id: x.id }, tabindex: 0,
    onclick: () => choose(x.id), onkeydown: (e) => { if (e.key === "Enter") choose(x.id); },
  }, `${fmtStamp(x.started_at).slice(5, 16)} ${t("em.kind." + x.kind)} · ${x.place || placeText(x)} · ${t("em.status." + x.status)}`)));
  $("em-empty").hidden = list.length > 0;
  if (!current && !selectedId() && list.length) choose(list[0].id);
}

function choose(id) {
  history.replaceState(null, "", "/emergency?id=" + id);
  loadBoard();
}

async function loadBoard() {
  const id = selectedId();
  if (!id) return;
  try { current = await freshRead2(api("GET", "/api/emergency/incidents/" + id)); } catch (e) { toast(errorText(e), "error"); return; }
  render();
  document.querySelectorAll("#em-list li").forEach((li) => li.classList.toggle("on", Number(li.dataset.id) === id));
}

function render() {
  const b = current;
  if (!b) return;
  $("em-board").hidden = false;
  $("em-board-h").textContent = `${t("em.kind." + b.kind)} · ${b.place || placeText(b)}`;
  $("em-status").textContent = t("em.status." + b.status);
  $("em-facts").replaceChildren(
    el("dt", { text: t("em.situation") }), el("dd", { text: b.situation }),
    el("dt", { text: t("em.reported_by") }), el("dd", { text: `${b.reporter} ${b.reporter_number || ""}` }),
    el("dt", { text: t("em.started_at") }), el("dd", { text: fmtStamp(b.started_at) }),
    ...(b.closed_at ? [el("dt", { text: t("em.closed_at") }), el("dd", { text: `${fmtStamp(b.closed_at)} ${b.all_clear || ""}` })] : []));
  const byId = Object.fromEntries(b.recipients.map((r) => [r.id, r]));
  const open = b.status === "started";
  $("em-people").replaceChildren(...b.recipients.map((r) => el("tr", { dataset: { id: r.id, state: r.state } },
    el("td", {}, r.name, r.deputy_of_id ? el("div", { class: "muted small", text: t("em.deputy_of", { name: (byId[r.deputy_of_id] || {}).name || "" }) }) : null),
    el("td", { class: "mono", text: r.number }),
    el("td", {}, el("span", { class: "em-st " + r.state, text: t("em.st." + r.state) })),
    el("td", { text: String(r.attempts) }),
    el("td", { text: r.acknowledged_at ? fmtStamp(r.acknowledged_at) : "" }),
    el("td", { text: r.ack_channel ? t("em.ch." + r.ack_channel) + (r.ack_by ? " · " + r.ack_by : "") + (r.note ? " · " + r.note : "") : "" }),
    el("td", { class: "em-noprint" }, open && r.state !== "acknowledged"
      ? el("button", { type: "button", class: "btn btn-ghost", text: t("em.ack_on_behalf"), onclick: () => onBehalf(r) }) : null))));
  $("em-forms").hidden = !open;
  const down = b.timeline.filter((e) => e.kind === "telephony_down").pop();
  $("em-down").hidden = !(open && down);
  if (down) $("em-down").textContent = t("em.telephony_down") + " — " + down.text.split(": ").slice(1).join(": ");
  $("em-timeline").replaceChildren(...b.timeline.map((e) => el("li", {}, el("span", { class: "mono", text: fmtStamp(e.at) + " " }),
    el("strong", { text: t("em.ev." + e.kind) + " " }), eventText(e, byId))));
}

function eventText(e, byId) {
  const d = e.detail || {}, who = (byId[e.recipient_id] || {}).name || "";
  if (e.kind === "result" || e.kind === "message_result") return `${who}: ${t("em.out." + d.outcome)}`;
  if (e.kind === "message_call") return who;
  if (e.kind === "wave") return String(d.wave || "");
  if (e.kind === "deputy") return `${who} → ${(byId[d.deputy_id] || {}).name || ""}`;
  if (e.kind === "call") return `${who} (${d.attempt || ""})`;
  if (e.kind === "notified" || e.kind === "sms_failed") return who;
  if (e.kind === "telephony_down") return (d.left || []).join("; ");
  return e.text;
}

async function onBehalf(r) {
  const note = prompt(`${t("em.ack_on_behalf")}: ${r.name}\n${t("em.ack_note")}`);
  if (!note) return;
  try { current = await api("POST", `/api/emergency/incidents/${current.id}/recipients/${r.id}/acknowledge`, { note }); render(); }
  catch (e) { toast(errorText(e), "error"); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("em-start-btn").addEventListener("click", openStart);
  $("em-print").addEventListener("click", () => window.print());
  $("em-update-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try { current = await api("POST", `/api/emergency/incidents/${current.id}/updates`, { text: $("em-update-text").value }); $("em-update-text").value = ""; render(); }
    catch (ex) { toast(errorText(ex), "error"); }
  });
  $("em-close-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try { current = await api("POST", `/api/emergency/incidents/${current.id}/close`, { all_clear: $("em-close-text").value }); render(); loadList(); }
    catch (ex) { toast(errorText(ex), "error"); }
  });
  loadList();
  loadBoard();
});
onOpen(() => { loadList(); loadBoard(); });
let pending = null;
subscribe("emergency", (msg) => {
  if (pending) return;
  pending = setTimeout(() => { pending = null; loadList(); const inc = msg.payload && msg.payload.incident; if (current && inc && inc.id === current.id) loadBoard(); }, 150);
});
onLocale(() => { render(); loadList(); });
