/* Work orders: the list pages (all, dispatch queue, callbacks,
   supervision, units' portal). Data: GET /api/work-orders?view=…, /api/units/portal. */

import { api, errorText, newestRead } from "./api.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import * as DS from "./dispatch_suggestion.js";
import * as WO from "./work_order_fields.js";
// Read again on live messages and after changes: the newest read wins (api.newestRead).
const freshList = newestRead();
const freshExtensions = newestRead();

(function () {
  const root = document.getElementById("wo-list");
  if (!root) return;
  const view = root.dataset.view;
  const PAGE = 50;
  let page = 1, total = 0, totalExact = true, items = [], sel = 0;
  // The dispatch queue's suggestions by order id (issue 11): fetched once per order shown.
  const suggestions = new Map();

  const COLS = {
    all: ["number", "created", "type", "caller", "desc", "unit", "status", "sla", "deadline"],
    dispatch: ["number", "created", "type", "caller", "desc", "status", "suggest", "sla", "dispatch_deadline"],
    callbacks: ["number", "caller", "reply", "unit", "status", "callback_due"],
    supervision: ["number", "created", "type", "desc", "unit", "status", "sla", "reason"],
    unit: ["number", "created", "type", "desc", "status", "sla", "deadline"],
    extensions: ["number", "type", "desc", "unit", "deadline", "ext_requested", "ext_reason", "sla"],
  }[view];

  function head() {
    $("wo-table").querySelector("thead tr").replaceChildren(...COLS.map((c) => el("th", null, t("wo.col." + c))));
  }
  function cell(o, c) {
    switch (c) {
      case "number": return el("td", { class: "nowrap" }, el("a", { href: "/work-orders/" + o.id, class: "wo-num" }, o.number),
        o.urgency !== "normal" ? el("span", { class: "tag-urgent" }, t("wo.urgency." + o.urgency)) : null,
        o.supervised ? el("span", { class: "tag-sup" }, t("wo.supervised")) : null);
      case "created": return el("td", { class: "mono nowrap" }, WO.stamp(o.created_at));
      case "type": return el("td", { class: "nowrap" }, WO.typeLabel(o.order_type), o.category ? el("div", { class: "muted small" }, WO.catLabel(o)) : null);
      case "caller": return el("td", { class: "nowrap" }, o.caller_name || "", el("div", { class: "muted small mono" }, o.caller_number || ""));
      case "desc": return el("td", { class: "wo-desc", title: o.description }, o.description, o.place ? el("div", { class: "muted small" }, o.place) : null);
      case "unit": return el("td", { class: "nowrap" }, o.main_unit ? o.main_unit.name : "—");
      case "status": return el("td", null, WO.statusBadge(o.status), o.extension_pending ? el("div", { class: "small", style: "color:#8a5a00" }, t("wo.extension_pending")) : null);
      case "sla": return el("td", null, WO.slaBadge(o.sla_state));
      case "deadline": return el("td", { class: "mono nowrap" }, WO.stamp(o.completion_deadline),
        o.deadline_provisional_years && o.deadline_provisional_years.length ? WO.provisionalMark(o.deadline_provisional_years) : null);
      case "dispatch_deadline": return el("td", { class: "mono nowrap" }, WO.stamp((o.clocks.dispatch || {}).deadline));
      case "reply": return el("td", { class: "reply-cell", title: o.reply_text }, o.reply_text || "");
      case "callback_due": return el("td", { class: "mono nowrap" }, WO.stamp(o.callback_due_at),
        o.callback_agreed_at ? el("div", { class: "small" }, t("wo.callback.agreed") + " " + WO.stamp(o.callback_agreed_at)) : null);
      case "ext_requested": return el("td", { class: "mono nowrap" }, o.extension_request ? WO.stamp(o.extension_request.requested_deadline) : "",
        o.extension_request ? el("div", { class: "muted small" }, t("wo.col.ext_asked_at") + " " + WO.stamp(o.extension_request.requested_at)) : null,
        // A unit's request to stop its clock waits here too (issue 8).
        o.pause_request ? el("div", { class: "pause-asked" }, t("wo.pause_request") + " · " + t("wo.col.ext_asked_at") + " " + WO.stamp(o.pause_request.requested_at)) : null);
      case "ext_reason": {
        const why = [o.extension_request && o.extension_request.reason, o.pause_request && o.pause_request.reason].filter(Boolean).join(" / ");
        return el("td", { class: "wo-desc", title: why }, why);
      }
      case "suggest": {
        const d = suggestions.get(o.id);
        const top = d && d.units && d.units[0];
        if (o.status !== "created" && o.status !== "returned") return el("td", { class: "muted" }, "—");
        if (!top) return el("td", { class: "muted small" }, d ? t("ds.none") : "…");
        return el("td", { class: "ds-cell", title: DS.reasonText(top) }, el("b", null, top.unit.name),
          " ", el("span", { class: "ds-p" }, Math.round(top.probability * 100) + "%"),
          el("div", { class: "muted small" }, top.matter ? top.matter.matter : ""));
      }
      case "reason": return el("td", { class: "small" }, WO.reasonText(o.supervision_reason) || (o.sla_state === "breached" ? t("wo.sla.breached") : ""));
    }
    return el("td");
  }
  function render() {
    const tbody = $("wo-table").querySelector("tbody");
    tbody.replaceChildren(...items.map((o, i) => el("tr", { class: "clickable" + (i === sel ? " kbd-sel" : ""), dataset: { id: o.id },
      onclick: (e) => { if (e.target.tagName !== "A") location.href = "/work-orders/" + o.id; } }, ...COLS.map((c) => cell(o, c)))));
    $("wo-empty").hidden = items.length > 0;
    const pages = Math.max(1, Math.ceil(total / PAGE));
    // Beyond 10,000 orders (1,000 for a text search) the API counts no further (issue 18): "10,000+",
    // paging goes on.
    $("page-info").textContent = totalExact ? t("log.page_info", { page, pages, total })
      : t("calllog.page_info", { page, total: t("calllog.more_than", { n: total.toLocaleString() }) });
    $("prev").disabled = page <= 1;
    $("next").disabled = totalExact ? page >= pages : items.length < PAGE;
  }
  function params() {
    const f = $("filters"), p = new URLSearchParams();
    for (const n of ["q", "status", "order_type", "sla_state"]) if (f[n] && f[n].value) p.set(n, f[n].value);
    return p;
  }
  async function load() {
    const p = params();
    p.set("page", page);
    let url;
    if (view === "unit") url = "/api/work-orders?view=unit&page_size=" + PAGE + "&" + p;
    else url = "/api/work-orders?view=" + view + "&page_size=" + PAGE + "&" + p;
    try {
      const r = await freshList(api("GET", url));
      items = r.items; total = r.total; totalExact = r.total_exact !== false; sel = Math.min(sel, Math.max(0, items.length - 1));
      render();
      if (view === "dispatch") loadSuggestions();
      if ($("ext-count")) {
        const n = view === "extensions" ? r.total : (await freshExtensions(api("GET", "/api/work-orders?view=extensions&page_size=1"))).total;
        $("ext-count").textContent = n ? String(n) : "";
      }
    } catch (e) { toast(errorText(e), "error"); }
  }
  async function loadSuggestions() {
    const wanted = items.filter((o) => !suggestions.has(o.id) && (o.status === "created" || o.status === "returned"));
    for (const o of wanted) {
      try { suggestions.set(o.id, await DS.forOrder(o.id)); } catch (e) { suggestions.set(o.id, { units: [] }); }
      render();
    }
  }
  /* D on the selected row: dispatch it to the first suggested unit, one key (issue 11). */
  async function dispatchToSuggestion() {
    const o = items[sel];
    const d = o && suggestions.get(o.id);
    const top = d && d.units && d.units[0];
    if (!top) { toast(t("ds.none"), "error"); return; }
    try {
      await api("POST", "/api/work-orders/" + o.id + "/actions", { action: "dispatch", unit_id: top.unit.id });
      toast(t("ds.dispatched", { unit: top.unit.name }), "ok");
      load();
    } catch (e) { toast(errorText(e), "error"); }
  }
  async function fillFilters() {
    const m = await WO.meta();
    const f = $("filters");
    const keep = (s) => (s ? s.value : "");
    if (f.status) { const v = keep(f.status); f.status.replaceChildren(el("option", { value: "" }, t("log.all")), ...m.statuses.map((s) => el("option", { value: s }, WO.statusLabel(s)))); f.status.value = v; }
    const v2 = keep(f.order_type);
    f.order_type.replaceChildren(el("option", { value: "" }, t("log.all")), ...m.order_types.map((s) => el("option", { value: s }, WO.typeLabel(s))));
    f.order_type.value = v2;
    const v3 = keep(f.sla_state);
    f.sla_state.replaceChildren(el("option", { value: "" }, t("log.all")), ...["on_time", "warning", "breached"].map((s) => el("option", { value: s }, t("wo.sla." + s))));
    f.sla_state.value = v3;
  }
  document.addEventListener("DOMContentLoaded", () => {
    head();
    fillFilters().catch(() => {});
    $("filters").addEventListener("submit", (e) => { e.preventDefault(); page = 1; load(); });
    $("filters").addEventListener("change", (e) => { if (e.target.tagName === "SELECT") { page = 1; load(); } });
    $("prev").addEventListener("click", () => { if (page > 1) { page--; load(); } });
    $("next").addEventListener("click", () => { page++; load(); });
    document.addEventListener("keydown", (e) => {
      const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(e.target.tagName);
      if (e.altKey && (e.key === "n" || e.key === "N") && $("new-order")) { e.preventDefault(); location.href = "/work-orders/new"; return; }
      if (typing) return;
      if (e.key === "ArrowDown") { e.preventDefault(); sel = Math.min(items.length - 1, sel + 1); render(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); sel = Math.max(0, sel - 1); render(); }
      else if (e.key === "Enter" && items[sel]) { location.href = "/work-orders/" + items[sel].id; }
      else if (e.key === "PageDown" && !$("next").disabled) { page++; load(); }
      else if (e.key === "PageUp" && page > 1) { page--; load(); }
      else if (e.key === "/") { e.preventDefault(); $("filters").q.focus(); }
      else if (view === "dispatch" && (e.key === "d" || e.key === "D") && !e.altKey && !e.ctrlKey) { e.preventDefault(); dispatchToSuggestion(); }
    });
    onLocale(() => { head(); fillFilters().catch(() => {}); render(); });
    load();
    // Live: reload when any order changes (the feed pushes every change).
    connectLive(() => load());
  });

  function connectLive(onChange) {
    let timer = null;
    let first = true;
    const soon = () => { clearTimeout(timer); timer = setTimeout(onChange, 150); };
    onOpen(() => { if (first) first = false; else soon(); });  // what changed meanwhile
    subscribe("work_order", soon);
  }
})();
