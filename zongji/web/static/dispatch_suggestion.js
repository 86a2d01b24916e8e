/* The dispatch suggestion (issue 11, point 5): the top units for an order or a draft with their
   reasons, as the order page's dispatch form, the dispatch queue and the creation form show them.
   Data: GET /api/work-orders/{id}/dispatch-suggestion, POST /api/dispatch/suggest. */

import { api } from "./api.js";
import { el } from "./dom.js";
import { locale, t } from "./i18n.js";

export function forOrder(orderId) {
  return api("GET", "/api/work-orders/" + encodeURIComponent(orderId) + "/dispatch-suggestion");
}

export function forDraft(draft) {
  return api("POST", "/api/dispatch/suggest", draft);
}

function percent(p) { return Math.round((p || 0) * 100) + "%"; }

/* Why a unit is suggested, in one line: the catalogue matter, the words, similar orders. */
export function reasonText(s) {
  const bits = [];
  if (s.matter) bits.push(t("ds.matter", { matter: s.matter.matter }));
  if (s.because && s.because.length) bits.push(t("ds.words", { words: s.because.join("、") }));
  if (s.similar_orders && s.similar_orders.length) bits.push(t("ds.similar", { numbers: s.similar_orders.map((x) => x.number).join("、") }));
  return bits.join(" · ");
}

export function unitContact(u) {
  const c = [u.phone, u.extension ? t("ds.ext", { ext: u.extension }) : null].filter(Boolean).join(" ");
  return c ? " (" + c + ")" : "";
}

/* The list of suggested units; ``onPick(unitId)`` when one is clicked. */
export function renderUnits(box, data, { onPick, chosen, keys } = {}) {
  const units = (data && data.units) || [];
  if (!units.length) { box.replaceChildren(el("div", { class: "muted small" }, t("ds.none"))); return; }
  box.replaceChildren(el("div", { class: "ds-head small" }, t("ds.title")), ...units.map((s, i) => el("button", {
    type: "button", class: "ds-unit" + (s.unit.id === chosen ? " chosen" : ""), dataset: { unitId: s.unit.id },
    onclick: () => onPick && onPick(s.unit.id),
  }, keys && keys[i] ? el("kbd", null, keys[i]) : null, el("b", null, (i + 1) + ". " + s.unit.name), " ",
  el("span", { class: "ds-p" }, percent(s.probability)), el("div", { class: "small muted" }, reasonText(s)))));
}

export function categoryText(data) {
  const c = data && data.category;
  if (!c) return "";
  return t("ds.category", { category: locale === "en" ? (c.name_en || c.name_zh) : c.name_zh, matter: c.matter });
}
