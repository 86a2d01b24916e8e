/* The guest-service centre's page (/guestsvc; issue 13, R-G1, R-G2, R-G4, R-G6): open requests with
   their age against the target (amber from the alert, red when late), a new request (Alt+N: the
   room, the item, Enter records it), the follow-up calls (satisfied / not satisfied / no answer),
   loans out (returned and checked), dishes to collect, the shift's roster (attendant and floors),
   sign-in, work keys and lost and found. Reloads on the live feed's guest_request messages and
   every 30 s (the ages). */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";
import { locale, onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtDateTime, fmtTime } from "./local_time.js";

const manager = !!config.gs_manager;
let board = { open: [], follow_up: [], loans_out: [], dishes_out: [] };
let catalogue = [];
let roster = null;
let recs = { sign_ins: [], keys_out: [], lost_found: [] };
// What is typed in a row's box survives the reloads (live feed, every 30 s) that redraw the rows.
const drafts = new Map();
function draftInput(key, attrs) {
  // A redraw keeps the same box: what is being typed in it, and the cursor, stay.
  const old = document.querySelector(`input[data-draft="${CSS.escape(key)}"]`);
  if (old) {
    if (attrs.placeholder) old.placeholder = attrs.placeholder;
    if (old === document.activeElement) queueMicrotask(() => old.focus());
    return old;
  }
  const input = el("input", { ...attrs, dataset: { draft: key }, value: drafts.get(key) || "" });
  input.addEventListener("input", () => drafts.set(key, input.value));
  return input;
}

const itemName = (i) => (locale === "en" ? i.name_en : i.name_zh) || i.name_zh;
const team = (code) => t("guestsvc.team." + code);

async function run(fn, okText) {
  try { await fn(); if (okText) toast(okText, "ok"); await loadAll(); }
  catch (err) { toast(errorText(err), "error"); }
}

function ageCell(r) {
  return el("td", { class: "gs-age" }, el("b", null, String(r.age_minutes)), " / ", String(r.target_minutes), " ", t("guestsvc.min"),
    r.timing !== "ok" ? el("span", { class: "gs-timing" }, " · " + t("guestsvc.timing." + r.timing)) : "");
}

/** Done, with what a charged request costs the guest (minibar, room service; R-G2): it goes to
    the folio with the call charges. Empty: the item's price × quantity. */
function doneControls(r) {
  const amount = r.charged ? el("input", { type: "number", class: "gs-amount", min: "0", step: "0.01", size: "6",
    placeholder: t("guestsvc.amount"), title: t("guestsvc.amount_hint") }) : null;
  const done = el("button", { type: "button", class: "btn btn-sm", onclick: () => run(() => api("POST", `/api/guestsvc/requests/${r.id}/done`,
    amount && amount.value.trim() !== "" ? { amount_yuan: Number(amount.value) } : undefined), t("guestsvc.done_ok")) }, t("guestsvc.mark_done"));
  return amount ? [amount, " ", done] : [done];
}

function render() {
  $("gs-open").replaceChildren(...board.open.map((r) => el("tr", { class: "t-" + r.timing, dataset: { id: String(r.id) } },
    el("td", null, r.room), el("td", null, r.item, r.quantity > 1 ? " ×" + r.quantity : "", r.note ? el("div", { class: "muted small" }, r.note) : "",
      r.deliver_by ? el("div", { class: "muted small" }, t("guestsvc.deliver_by", { time: fmtDateTime(r.deliver_by) })) : ""),
    el("td", null, team(r.team)), el("td", null, r.attendant || "—"), ageCell(r),
    el("td", null, t("guestsvc.state." + r.state)),
    el("td", null, ...doneControls(r),
      " ", el("button", { type: "button", class: "btn btn-sm btn-ghost", onclick: () => run(() => api("POST", `/api/guestsvc/requests/${r.id}/cancel`)) }, t("guestsvc.cancel"))))));
  $("gs-open-empty").hidden = board.open.length > 0;

  $("gs-follow").replaceChildren(...board.follow_up.map((r) => {
    const key = "fu:" + r.id;
    const note = draftInput(key, { class: "gs-fu-note", maxlength: "1000", placeholder: t("guestsvc.f.note") });
    const send = (result) => run(async () => {
      // What the box shows when the button is pressed (a redraw may have replaced the box typed in).
      const box = document.querySelector(`#gs-follow li[data-id="${r.id}"] .gs-fu-note`);
      const text = (box && box.value) || drafts.get(key) || "";
      await api("POST", `/api/guestsvc/requests/${r.id}/follow-up`, { result, note: text });
      drafts.delete(key);
    }, t("guestsvc.followed_up"));
    return el("li", { dataset: { id: String(r.id) } }, el("b", null, r.room), " ", r.item, " · ", t("guestsvc.done_at", { time: fmtTime(r.done_at) }),
      r.timing === "late" ? el("span", { class: "late" }, " " + t("guestsvc.timing.late")) : "", note,
      ...["satisfied", "not_satisfied", "no_answer"].map((res) => el("button", { type: "button", class: "btn btn-sm", dataset: { result: res }, onclick: () => send(res) }, t("guestsvc.result." + res))));
  }));
  $("gs-loans").replaceChildren(...board.loans_out.map((r) => el("li", null, el("b", null, r.room), " ", r.item, " ×" + r.quantity, " · ",
    el("span", { class: r.overdue ? "late" : "" }, t("guestsvc.due_back", { time: fmtDateTime(r.due_back_at) })),
    ...["ok", "damaged", "incomplete"].map((c) => el("button", { type: "button", class: "btn btn-sm", onclick: () => run(() => api("POST", `/api/guestsvc/requests/${r.id}/return`, { check: c }), t("guestsvc.returned")) }, t("guestsvc.check." + c))))));
  $("gs-dishes").replaceChildren(...board.dishes_out.map((r) => el("li", null, el("b", null, r.room), " ", r.item, " · ", t("guestsvc.dishes_due", { time: fmtTime(r.dishes_due_at) }),
    el("button", { type: "button", class: "btn btn-sm", onclick: () => run(() => api("POST", `/api/guestsvc/requests/${r.id}/dishes-collected`)) }, t("guestsvc.collected")))));

  if (roster) {
    $("gs-shift").textContent = t("guestsvc.shift_of", { day: roster.day, shift: t("guestsvc.shift." + roster.shift) });
    $("gs-covers").replaceChildren(...roster.covers.map((c) => el("li", null, el("b", null, c.attendant), " ", t("guestsvc.floors", { floors: c.floors }),
      manager ? el("button", { type: "button", class: "btn btn-sm btn-ghost", onclick: () => run(() => api("DELETE", `/api/guestsvc/roster/${c.id}`)) }, t("guestsvc.remove")) : "")));
    $("gs-att").replaceChildren(...roster.attendants.map((a) => el("option", { value: a.id }, a.name)));
  }
  $("gs-cover").hidden = !manager;
  $("gs-signed").textContent = recs.sign_ins.length
    ? t("guestsvc.signed_in", { names: recs.sign_ins.map((x) => `${x.user} ${fmtTime(x.signed_in_at)}`).join("、") }) : "";
  $("gs-keys").replaceChildren(...recs.keys_out.map((k) => el("li", null, el("b", null, k.key_label), " ", k.holder, " · ", fmtTime(k.issued_at),
    k.alerted ? el("span", { class: "late" }, " " + t("guestsvc.key_late")) : "",
    el("button", { type: "button", class: "btn btn-sm", onclick: () => run(() => api("POST", `/api/guestsvc/keys/${k.id}/return`)) }, t("guestsvc.key_back")))));
  $("gs-lost-list").replaceChildren(...recs.lost_found.map((x) => {
    const key = "lf:" + x.id;
    const who = draftInput(key, { maxlength: "120", placeholder: t("guestsvc.f.returned_to") });
    return el("li", null, el("b", null, x.description), " ", t("guestsvc.lost_line", { where: x.found_where, by: x.found_by, kept: x.kept_where, after: x.dispose_after }),
      who, el("button", { type: "button", class: "btn btn-sm", onclick: () => run(() => api("POST", `/api/guestsvc/lost-found/${x.id}/close`, { returned_to: drafts.get(key) || "" })) }, t("guestsvc.give_back")),
      x.disposable ? el("button", { type: "button", class: "btn btn-sm btn-ghost", onclick: () => run(() => api("POST", `/api/guestsvc/lost-found/${x.id}/close`, { disposed: true })) }, t("guestsvc.dispose")) : "");
  }));
}

// Read again after each action, on each live message and every 30 s: a read begun before a change
// must not show the board as it was after a newer read has shown the change.
const freshBoard = newestRead();

async function loadAll() {
  try {
    [board, roster, recs] = await freshBoard(Promise.all([api("GET", "/api/guestsvc/requests"),
      api("GET", "/api/guestsvc/roster"), api("GET", "/api/guestsvc/records")]));
  } catch (err) { toast(errorText(err), "error"); }
  render();
}

async function loadCatalogue() {
  try { catalogue = (await api("GET", "/api/guestsvc/catalogue")).items; } catch (err) { toast(errorText(err), "error"); }
  $("gs-item").replaceChildren(...catalogue.map((i) => el("option", { value: i.id }, `${itemName(i)} · ${team(i.team)}${i.charged ? " · " + t("guestsvc.charged") : ""}`)));
}

function formBody(form) { return Object.fromEntries(new FormData(form).entries()); }

$("gs-new").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  clearFieldErrors(form);
  const b = formBody(form);
  try {
    const r = await api("POST", "/api/guestsvc/requests", { room: b.room.trim(), item_id: Number(b.item_id), quantity: Number(b.quantity || 1), note: b.note });
    toast(t("guestsvc.recorded", { room: r.request.room, who: r.request.attendant || team(r.request.team) }), "ok");
    form.reset();
    $("gs-room").focus();
    await loadAll();
  } catch (err) { showFieldError(err, { scope: form }); }
});

function simpleForm(id, url, toBody, okText) {
  $(id).addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    clearFieldErrors(form);
    try { await api(url[0], url[1], toBody(formBody(form))); toast(okText, "ok"); form.reset(); await loadAll(); }
    catch (err) { showFieldError(err, { scope: form }); }
  });
}
simpleForm("gs-cover", ["PUT", "/api/guestsvc/roster"], (b) => ({ day: roster.day, shift: roster.shift, attendant_id: Number(b.attendant_id), floors: b.floors }), t("guestsvc.saved"));
simpleForm("gs-key", ["POST", "/api/guestsvc/keys"], (b) => b, t("guestsvc.saved"));
simpleForm("gs-lost", ["POST", "/api/guestsvc/lost-found"], (b) => b, t("guestsvc.saved"));
$("gs-sign-in").addEventListener("click", () => run(() => api("POST", "/api/guestsvc/sign-in"), t("guestsvc.signed_in_ok")));

document.addEventListener("keydown", (e) => {
  if (e.altKey && !e.ctrlKey && e.code === "KeyN") { e.preventDefault(); $("gs-room").focus(); }
});

// An alert (due soon, loan due, dishes, a key not back at shift end) is told aloud with its room,
// which the live message itself never carries.
function tell(p) {
  if (p.key_id) {
    const k = recs.keys_out.find((x) => x.id === p.key_id);
    if (k) toast(t("guestsvc.alert.key_unreturned", { key: k.key_label, holder: k.holder }), "error");
    return;
  }
  const r = [...board.open, ...board.loans_out, ...board.dishes_out].find((x) => x.id === p.id);
  if (r) toast(t("guestsvc.alert." + p.alert, { room: r.room, item: r.item }), "error");
}
subscribe(["guest_request"], async (msg) => {
  await loadAll();
  if (msg.payload && msg.payload.alert) tell(msg.payload);
});
onOpen(() => loadAll());
onLocale(() => { loadCatalogue(); render(); });
setInterval(loadAll, 30000);
loadCatalogue();
loadAll();
