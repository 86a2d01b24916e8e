/* Evaluation page (质检, issue 11 point 7).

   我的质检: the reviews of the calls the user answered, each with its total out of the items it
   was scored on, per-item scores and comments. Supervisors and admins edit the evaluation items
   (label, points, active; order is the table's) and save with Ctrl+Enter; Alt+A adds an item.
   Old reviews keep their items. Data: GET /api/evaluation/mine, GET and PUT /api/evaluation/items. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { locale, t } from "./i18n.js";
import { fmtStamp } from "./local_time.js";
import { showFieldError } from "./form_errors.js";

const label = (c) => (locale === "en" && c.label_en) || c.label_zh;

async function loadMine() {
  let data;
  try { data = await api("GET", "/api/evaluation/mine"); } catch (e) { toast(errorText(e), "error"); return; }
  $("eval-none").hidden = data.reviews.length > 0;
  $("eval-mine").hidden = data.reviews.length === 0;
  $("eval-mean").textContent = data.mean_score === null ? "" : t("eval.mean", { n: data.mean_score });
  $("eval-mine").querySelector("tbody").replaceChildren(...data.reviews.map((r) => el("tr", null,
    el("td", null, fmtStamp(r.call_at)),
    el("td", null, r.fatal ? t("eval.fatal") : `${r.total} / ${r.max_points}`),
    el("td", null, el("ul", { class: "plain" }, ...r.items.map((c) => el("li", null,
      `${label(c)} ${r.scores[c.key] ?? "—"}/${c.points}` + (r.item_comments[c.key] ? ` · ${r.item_comments[c.key]}` : ""))))),
    el("td", null, r.comment || ""),
    el("td", null, t("review.by", { by: r.reviewed_by, at: fmtStamp(r.reviewed_at) })))));
}

function itemRow(c) {
  return el("tr", null,
    el("td", null, el("input", { name: "key", value: c.key || "", maxlength: 30, size: 10, "aria-label": t("eval.key"),
      readonly: c.key ? true : null })),
    el("td", null, el("input", { name: "label_zh", value: c.label_zh || "", maxlength: 60, "aria-label": t("eval.label_zh") })),
    el("td", null, el("input", { name: "label_en", value: c.label_en || "", maxlength: 60, "aria-label": t("eval.label_en") })),
    el("td", null, el("input", { name: "points", type: "number", min: 1, max: 100, value: c.points || 10, "aria-label": t("eval.points") })),
    el("td", null, el("input", { name: "active", type: "checkbox", checked: c.active !== false, "aria-label": t("eval.active") })));
}

function rows() { return [...$("eval-items").querySelectorAll("tbody tr")]; }

function showMax() {
  $("eval-max").textContent = String(rows().reduce((acc, tr) =>
    acc + (tr.querySelector("[name=active]").checked ? Number(tr.querySelector("[name=points]").value) || 0 : 0), 0));
}

async function loadItems() {
  let data;
  try { data = await api("GET", "/api/evaluation/items"); } catch (e) { toast(errorText(e), "error"); return; }
  $("eval-items").querySelector("tbody").replaceChildren(...data.items.map(itemRow));
  showMax();
}

async function saveItems(ev) {
  ev.preventDefault();
  const items = rows().map((tr, i) => ({
    key: tr.querySelector("[name=key]").value.trim(), label_zh: tr.querySelector("[name=label_zh]").value.trim(),
    label_en: tr.querySelector("[name=label_en]").value.trim(), points: Number(tr.querySelector("[name=points]").value),
    order: i + 1, active: tr.querySelector("[name=active]").checked }));
  $("eval-save").disabled = true;
  try {
    await api("PUT", "/api/evaluation/items", { items });
    toast(t("eval.saved"), "ok");
    await loadItems();
  } catch (err) {
    const input = (field) => {
      const m = /^items\.(\d+)\.(\w+)/.exec(field);
      return m && rows()[Number(m[1])] ? rows()[Number(m[1])].querySelector(`[name=${m[2]}]`) : null;
    };
    showFieldError(err, { scope: $("eval-items-form"), input });
  } finally { $("eval-save").disabled = false; }
}

function addItem() {
  const tr = itemRow({});
  $("eval-items").querySelector("tbody").append(tr);
  tr.querySelector("input").focus();
  showMax();
}

document.addEventListener("DOMContentLoaded", () => {
  loadMine();
  if (!config.edit_items) return;
  $("eval-items-section").hidden = false;
  loadItems();
  $("eval-items-form").addEventListener("submit", saveItems);
  $("eval-items-form").addEventListener("input", showMax);
  $("eval-add").addEventListener("click", addItem);
  document.addEventListener("keydown", (e) => {
    if (e.altKey && (e.key === "a" || e.key === "A")) { e.preventDefault(); addItem(); }
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); $("eval-items-form").requestSubmit(); }
  });
});
