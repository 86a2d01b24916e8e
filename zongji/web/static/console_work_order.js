/* Console: "create a work order from this call" in one click (Alt+W). Opens the order form in a
   new tab with the selected call's caller, number and notes carried over (issue 4). On a hotel's
   switchboard there is no hotline work order: the key says where guest requests go (issue 8). */

import { api } from "./api.js";
import { toast } from "./dom.js";
import { locale, t } from "./i18n.js";

function selectedCallId() {
  const row = document.querySelector(".call-row.selected");
  return row && row.dataset.id ? row.dataset.id : null;
}
async function open() {
  const id = selectedCallId();
  if (!id) { toast(t("wo.from_call_none"), "error"); return; }
  // Save the note being typed so the order gets it too.
  const notes = document.getElementById("notes");
  if (notes && notes.value.trim()) {
    try { await api("PATCH", "/api/calls/" + id, { notes: notes.value }); } catch (e) { /* the call keeps its saved note */ }
  }
  // A hotel's switchboard takes no hotline work orders: say where guest requests go instead.
  let p = null;
  try { p = await api("GET", "/api/work-orders/from-call/" + encodeURIComponent(id)); } catch (e) { /* the form says why */ }
  if (p && p.work_orders === false) { toast(hotelLineText(p.requests_to), "info"); return; }
  window.open("/work-orders/new?call_id=" + encodeURIComponent(id), "_blank");
}
function hotelLineText(u) {
  if (!u) return t("wo.hotel_line_no_unit");
  return t("wo.hotel_line", { unit: locale === "en" ? (u.name_en || u.name) : u.name, ext: u.extension || "—" });
}
document.addEventListener("DOMContentLoaded", () => {
  const btn = document.getElementById("btn-work-order");
  if (btn) btn.addEventListener("click", open);
  document.addEventListener("keydown", (e) => {
    if (e.altKey && (e.key === "w" || e.key === "W")) { e.preventDefault(); open(); }
  });
});
