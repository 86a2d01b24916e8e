/* Work orders' fields as every work-order page shows them: the meta (types, categories…),
   labels and badges of type, status and SLA, the category, times in the organisation's zone, the
   supervision reasons, the provisional-deadline mark (issue 8). */

import { api } from "./api.js";
import { el } from "./dom.js";
import { locale, t } from "./i18n.js";
import { fmtStamp, tzOffset } from "./local_time.js";

let metaPromise = null;
export function meta() {
  if (!metaPromise) metaPromise = api("GET", "/api/work-orders/meta");
  return metaPromise;
}
export const typeLabel = (v) => (v ? t("wo.type." + v) : "");
export const statusLabel = (v) => (v ? t("wo.status." + v) : "");
export function statusBadge(s) { return el("span", { class: "st s-" + s }, statusLabel(s)); }
export function slaBadge(state, paused) {
  if (!state) return el("span", { class: "muted" }, "—");
  if (paused) return el("span", { class: "sla s-paused" }, t("wo.sla.paused"));
  return el("span", { class: "sla s-" + state }, t("wo.sla." + state));
}
export function catLabel(o) {
  if (!o.category) return "";
  if (o.category_label) return locale === "en" ? o.category_label.en : o.category_label.zh;
  return o.category;
}
/** "YYYY-MM-DD HH:mm" in the organisation's zone. */
export function stamp(iso) { return iso ? fmtStamp(iso).slice(0, 16) : ""; }
/** A datetime-local value as ISO with the organisation's offset. */
export function fromLocalInput(v) { return v ? v + (v.length === 16 ? ":00" : "") + tzOffset(new Date(v)) : null; }
/** The domain's supervision reasons ("dissatisfied caller", "reply rejected: wrong_reply") in the UI language. */
export function reasonText(r) {
  if (!r) return "";
  if (r === "dissatisfied caller") return t("wo.reason.dissatisfied");
  let mm = /^reply rejected: (\w+)$/.exec(r);
  if (mm) return t("wo.reason.rejected") + ":" + t("wo.problem." + mm[1]);
  mm = /^callback found (\w+)$/.exec(r);
  if (mm) return t("wo.reason.callback_found") + ":" + t("wo.problem." + mm[1]);
  return r;
}
/** A deadline counted over a year whose holiday notice is not imported (issue 8). */
export function provisionalMark(years) {
  const text = t("wo.deadline_provisional", { years: years.join("、") });
  return el("span", { class: "dl-provisional", title: text, "data-provisional": years.join(",") }, t("wo.provisional"));
}
