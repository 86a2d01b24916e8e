/* The complaint register (R-S8): complaints in a period with counts by department, type and
   outcome; XLSX export. Data: GET /api/complaints/register. */

import { api, errorText } from "./api.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import * as WO from "./work_order_fields.js";

let data = null;
const outcomeLabel = (k) => (["satisfied", "basically_satisfied", "dissatisfied"].includes(k) ? t("wo.outcome." + k) : k === "open" ? t("wo.open") : WO.statusLabel(k));

function params() {
  const f = $("filters"), p = new URLSearchParams();
  for (const n of ["date_from", "date_to"]) if (f[n].value) p.set(n, f[n].value);
  return p;
}
function render() {
  for (const key of ["by_department", "by_type", "by_outcome"]) {
    $(key).replaceChildren(...data[key].map((c) => el("tr", null, el("td", null, key === "by_outcome" ? outcomeLabel(c.key) : c.key), el("td", { class: "n" }, c.count))));
  }
  $("reg-table").querySelector("tbody").replaceChildren(...data.items.map((i) => el("tr", { class: "clickable", onclick: () => { location.href = "/work-orders/" + i.id; } },
    el("td", null, el("a", { href: "/work-orders/" + i.id, class: "wo-num" }, i.number)), el("td", { class: "mono nowrap" }, WO.stamp(i.created_at)),
    el("td", { class: "nowrap" }, i.caller_name || ""), el("td", { class: "wo-desc", title: i.description }, i.description),
    el("td", { class: "nowrap" }, i.department || "—"), el("td", { class: "nowrap" }, i.category_name || ""),
    el("td", null, WO.statusBadge(i.status)), el("td", null, outcomeLabel(i.outcome)))));
  $("reg-empty").hidden = data.items.length > 0;
  $("export").href = "/api/complaints/register.xlsx?" + params();
}
async function load() {
  try { data = await api("GET", "/api/complaints/register?" + params()); render(); } catch (e) { toast(errorText(e), "error"); }
}
document.addEventListener("DOMContentLoaded", () => {
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  onLocale(() => { if (data) render(); });
  load();
});
