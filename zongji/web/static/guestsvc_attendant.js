/* The floor attendant's page (/guestsvc/attendant; issue 13, R-G1): phone-sized cards of the
   requests routed to me — the room, the item, how long it has waited against its target —
   with Accept and Done. Reloads on the live feed and every 30 s. */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtDateTime } from "./local_time.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins

let mine = [];

async function act(r, action) {
  let body;
  if (action === "done" && r.charged) {  // what it costs the guest (R-G2); empty: the price list
    const typed = window.prompt(t("guestsvc.amount_hint"), "");
    if (typed === null) return;
    if (typed.trim() !== "") body = { amount_yuan: Number(typed) };
  }
  try {
    await api("POST", `/api/guestsvc/requests/${r.id}/${action}`, body);
    toast(t(action === "done" ? "guestsvc.done_ok" : "guestsvc.accepted_ok"), "ok");
  } catch (err) { toast(errorText(err), "error"); }
  await load();
}

function render() {
  $("gs-mine").replaceChildren(...mine.map((r) => el("li", { class: "gs-card t-" + r.timing, dataset: { id: String(r.id) } },
    el("div", { class: "gs-card-room" }, r.room, " ", el("span", { class: "muted small" }, t("guestsvc.floor", { floor: r.floor }))),
    el("div", null, el("b", null, r.item), r.quantity > 1 ? " ×" + r.quantity : "", r.note ? " · " + r.note : ""),
    r.deliver_by ? el("div", { class: "muted" }, t("guestsvc.deliver_by", { time: fmtDateTime(r.deliver_by) })) : "",
    el("div", { class: "muted" }, t("guestsvc.waited", { age: r.age_minutes, target: r.target_minutes }),
      r.timing !== "ok" ? " · " + t("guestsvc.timing." + r.timing) : "", " · ", t("guestsvc.state." + r.state)),
    el("div", null,
      r.state === "open" ? el("button", { type: "button", class: "btn", onclick: () => act(r, "accept") }, t("guestsvc.accept")) : "",
      el("button", { type: "button", class: "btn btn-primary", onclick: () => act(r, "done") }, t("guestsvc.mark_done"))))));
  $("gs-mine-empty").hidden = mine.length > 0;
}

async function load() {
  try { mine = (await freshRead(api("GET", "/api/guestsvc/my-requests"))).requests; } catch (err) { toast(errorText(err), "error"); }
  render();
}

if (config.user) {
  subscribe(["guest_request"], async (msg) => {
    await load();
    const p = msg.payload || {};
    const r = p.alert && p.attendant_id === config.user.id ? mine.find((x) => x.id === p.id) : null;
    if (r) toast(t("guestsvc.alert." + p.alert, { room: r.room, item: r.item }), "error");
  });
  onOpen(() => load());
  onLocale(render);
  setInterval(load, 30000);
  load();
}
