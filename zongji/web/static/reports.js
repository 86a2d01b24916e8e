/* Reports (issue 10, point 3): a range of days (quick choices: today, yesterday, this week,
   this month, last month); calls by day, week, month, line, operator, category or half-hour of
   the week (/api/stats/calls), or work orders by unit — the units' ranking —, type, channel,
   category or day (/api/stats/orders); the chart and the table show the numbers, the XLSX link the
   same numbers as a workbook, and the page prints as the month's report. Each column's
   definition is its tooltip and is listed below the table. A range or grouping the user chose
   is kept in the address, so a report can be bookmarked and sent. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { dur, fmtDateTime, localDate } from "./local_time.js";
import { byId, showFieldError } from "./form_errors.js";

const GROUPS = {
  calls: ["day", "week", "month", "line", "operator", "category", "interval"],
  orders: ["unit", "type", "channel", "category", "day"],
  operators: ["operator"],
  wakeups: ["day"],
  bookings: ["day"],
};
const kind = () => $("rp-kind").value;

function fillGroups(selected) {
  const groups = GROUPS[kind()];
  $("rp-group").replaceChildren(...groups.map((g) => el("option", { value: g, dataset: { i18n: "rp.group." + g } },
    t("rp.group." + g))));
  $("rp-group").value = groups.includes(selected) ? selected : groups[0];
}
const lang = () => (document.documentElement.lang === "en" ? "en" : "zh");
let report = null;
let chart = null;

const pad = (n) => String(n).padStart(2, "0");
const iso = (d) => d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());

/** Today in the site's time zone, as a local Date at noon (no clock-change edge). */
function today() {
  const s = localDate(new Date());
  const [y, m, d] = s.split("-").map(Number);
  return new Date(y, m - 1, d, 12);
}

function range(kind) {
  const t = today();
  const add = (d, n) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n, 12);
  if (kind === "yesterday") return [add(t, -1), add(t, -1)];
  if (kind === "week") return [add(t, -((t.getDay() + 6) % 7)), t];
  if (kind === "month") return [new Date(t.getFullYear(), t.getMonth(), 1, 12), t];
  if (kind === "last_month") return [new Date(t.getFullYear(), t.getMonth() - 1, 1, 12), new Date(t.getFullYear(), t.getMonth(), 0, 12)];
  return [t, t];
}

function fmt(value, unit) {
  if (value === null || value === undefined) return "—";
  if (unit === "rate") return (value * 100).toFixed(1) + " %";
  if (unit === "seconds") return dur(value);
  return String(value);
}

function params() {
  return new URLSearchParams({ date_from: $("rp-from").value, date_to: $("rp-to").value, group: $("rp-group").value });
}
function address() {
  const p = params();
  p.set("kind", kind());
  return p;
}

function render() {
  const label = (f) => (lang() === "en" ? f.label_en : f.label_zh);
  const def = (f) => (lang() === "en" ? f.definition_en : f.definition_zh);
  const figs = report.figures;
  const orders = report.kind === "orders";
  $("rp-chart").hidden = false;
  const wakeups = report.kind === "wakeups";
  $("rp-h").textContent = t(orders ? "rp.heading.orders" : wakeups ? "rp.heading.wakeups" : "rp.heading", { from: report.date_from, to: report.date_to,
    group: t("rp.group." + report.group) });
  $("rp-scope").textContent = report.own_unit_only ? t("rp.own_unit") : report.own_calls_only ? t("rp.own_calls")
    : (report.lines ? t("wb.lines", { lines: report.lines.join(lang() === "en" ? ", " : "、") }) : t("wb.all_lines"));
  const table = $("rp-table");
  const head = el("tr", null, el("th", null, t("rp.group." + report.group)),
    figs.map((f) => el("th", { title: def(f), dataset: { key: f.key } }, label(f))));
  table.tHead.replaceChildren(head);
  const row = (name, values) => el("tr", null, el("td", null, name),
    figs.map((f) => el("td", { dataset: { key: f.key } }, fmt(values[f.key], f.unit))));
  table.tBodies[0].replaceChildren(...report.rows.map((r) => row(r.label, r.figures)));
  table.tFoot.replaceChildren(row(t("rp.total"), report.total));
  $("rp-empty").hidden = report.rows.length > 0;
  // Messages taken in the range (R-H5, R-C4), beside the calls they were taken on.
  const m = report.messages;
  $("rp-messages").hidden = !m || !m.messages_taken;
  if (m) $("rp-messages").textContent = t("rp.messages", { n: m.messages_taken,
    complete: fmt(m.message_completeness, "rate"), on_time: fmt(m.messages_delivered_on_time, "rate") });
  $("rp-defs").replaceChildren(...figs.flatMap((f) => [el("dt", null, label(f)), el("dd", null, def(f))]));
  const p = report.policy;
  $("rp-policy").textContent = p ? t("wb.policy", { short: p.short_abandon_seconds, sl: p.service_level_seconds,
    treatment: t("wb.treatment." + p.abandon_treatment) }) : "";
  $("rp-xlsx").hidden = false;
  $("rp-xlsx").href = "/api/stats/" + report.kind + ".xlsx?" + params().toString();
  if (window.echarts) {
    if (!chart) chart = window.echarts.init($("rp-chart"), null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 48, top: 32, bottom: 60 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: report.rows.map((r) => r.label), axisLabel: { rotate: report.rows.length > 12 ? 45 : 0 } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } }],
      series: wakeups ? [
        { name: label(figs[0]), type: "bar", data: report.rows.map((r) => r.figures.due), itemStyle: { color: "#7aa7d9" } },
        { name: label(figs.find((f) => f.key === "escalated")), type: "bar", data: report.rows.map((r) => r.figures.escalated), itemStyle: { color: "#c62828" } },
        { name: label(figs.find((f) => f.key === "first_call_rate")), type: "line", yAxisIndex: 1, itemStyle: { color: "#2f8f5b" },
          data: report.rows.map((r) => (r.figures.first_call_rate === null ? null : +(r.figures.first_call_rate * 100).toFixed(1))) },
      ] : orders ? [
        { name: label(figs[0]), type: "bar", data: report.rows.map((r) => r.figures.created), itemStyle: { color: "#7aa7d9" } },
        ...["on_time_completion_rate", "satisfaction_rate"].map((key, i) => ({
          name: label(figs.find((f) => f.key === key)), type: "line", yAxisIndex: 1, itemStyle: { color: ["#2f8f5b", "#c25400"][i] },
          data: report.rows.map((r) => (r.figures[key] === null ? null : +(r.figures[key] * 100).toFixed(1))) })),
      ] : [
        { name: t("wb.chart.offered"), type: "bar", data: report.rows.map((r) => r.figures.offered), itemStyle: { color: "#7aa7d9" } },
        { name: t("wb.chart.answered"), type: "bar", data: report.rows.map((r) => r.figures.answered), itemStyle: { color: "#2f8f5b" } },
        { name: label(figs.find((f) => f.key === "answer_rate")), type: "line", yAxisIndex: 1,
          data: report.rows.map((r) => (r.figures.answer_rate === null ? null : +(r.figures.answer_rate * 100).toFixed(1))),
          itemStyle: { color: "#c25400" } },
      ],
    }, true);
  }
  document.querySelector(".rp").dataset.loaded = report.kind + "/" + report.date_from + "/" + report.date_to + "/" + report.group;
}

/** Shows the report of the form; ``keep`` (a choice of the user) also puts it in the address. */
async function load(keep) {
  const p = params();
  const k = kind();
  if (keep) history.replaceState(null, "", "/reports?" + address().toString());
  try {
    if (k === "operators" || k === "wakeups" || k === "bookings") p.delete("group");
    report = await api("GET", (k === "bookings" ? "/api/bookings/figures?" : "/api/stats/" + k + "?") + p.toString());
    report.kind = k;
    if (k === "operators") renderOperators(); else if (k === "bookings") renderBookings(); else render();
  } catch (e) {
    showFieldError(e, { input: byId({ date_from: "rp-from", date_to: "rp-to" }) });
  }
}

// ------------------------------------------------------------------ bookings (issue 17)
/** The booking hotline's figures (R-T1…R-T5): bookings per operator and day, the hotels'
   confirmation rate and the refusals by hotel, from /api/bookings/figures. */
function renderBookings() {
  const r = report;
  $("rp-h").textContent = t("rp.heading.bookings", { from: r.date_from, to: r.date_to });
  $("rp-scope").textContent = t("rp.bookings.summary", { n: r.bookings, confirmed: r.confirmed, refused: r.refused,
    rate: fmt(r.confirmation_rate, "rate") });
  const table = $("rp-table");
  table.tHead.replaceChildren(el("tr", null, el("th", null, t("rp.group.day")), el("th", null, t("rp.operator")),
    el("th", null, t("booking.kind")), el("th", null, t("rp.bookings.count"))));
  table.tBodies[0].replaceChildren(...r.per_operator_day.map((x) => el("tr", { dataset: { day: x.day, operator: x.operator } },
    el("td", null, x.day), el("td", null, x.operator), el("td", null, t("rp.bookings.kind." + x.kind)),
    el("td", { dataset: { key: "bookings" } }, String(x.bookings)))));
  table.tFoot.replaceChildren(el("tr", null, el("td", null, t("rp.total")), el("td"), el("td"),
    el("td", { dataset: { key: "bookings" } }, String(r.bookings))));
  $("rp-empty").hidden = r.per_operator_day.length > 0;
  $("rp-messages").hidden = !r.refusals_by_hotel.length;
  $("rp-messages").textContent = r.refusals_by_hotel.length ? t("rp.bookings.refusals", {
    hotels: r.refusals_by_hotel.map((h) => t("rp.bookings.refusal", { hotel: h.hotel, n: h.refusals })).join(lang() === "en" ? ", " : "、") }) : "";
  $("rp-defs").replaceChildren(el("dt", null, t("rp.bookings.rate")), el("dd", null, t("rp.bookings.rate_def")));
  $("rp-policy").textContent = "";
  $("rp-xlsx").hidden = true;
  const days = [...new Set(r.per_operator_day.map((x) => x.day))].sort();
  $("rp-chart").hidden = !days.length;
  if (window.echarts && days.length) {
    if (!chart) chart = window.echarts.init($("rp-chart"), null, { renderer: "svg" });
    chart.setOption({
      animation: false, grid: { left: 48, right: 24, top: 32, bottom: 40 }, legend: { top: 0 }, tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: days }, yAxis: { type: "value", minInterval: 1 },
      series: [{ name: t("rp.bookings.count"), type: "bar", itemStyle: { color: "#7aa7d9" },
        data: days.map((d) => r.per_operator_day.filter((x) => x.day === d).reduce((a, x) => a + x.bookings, 0)) }],
    }, true);
  }
  document.querySelector(".rp").dataset.loaded = "bookings/" + r.date_from + "/" + r.date_to + "/day";
}

// ------------------------------------------------------------------ operator evaluation
/** One row per operator (R-C4): the figures, and the evaluator's comment, which a shift
   leader, supervisor or admin writes in place. */
function renderOperators() {
  const cols = report.columns;
  const label = (c) => (lang() === "en" ? c.label_en : c.label_zh);
  $("rp-h").textContent = t("rp.heading.operators", { from: report.date_from, to: report.date_to });
  $("rp-scope").textContent = t("rp.operators_note");
  $("rp-chart").hidden = true;
  const table = $("rp-table");
  table.tHead.replaceChildren(el("tr", null, el("th", null, t("rp.operator")),
    cols.map((c) => el("th", { dataset: { key: c.key } }, label(c))), el("th", null, t("rp.comment"))));
  table.tBodies[0].replaceChildren(...report.rows.map((r) => {
    const comment = el("td", { class: "rp-comment" }, r.comment ? r.comment.text : "");
    if (r.comment) comment.title = r.comment.by + " " + fmtDateTime(r.comment.at);
    if (report.may_comment && r.user_id !== (config.user || {}).id) {
      comment.append(" ", el("button", { type: "button", class: "btn btn-small rp-comment-edit",
        onclick: () => editComment(comment, r) }, t("rp.comment.write")));
    }
    return el("tr", { dataset: { user: r.user_id } },
      el("td", null, [r.operator_number, r.name].filter(Boolean).join(" ")),
      cols.map((c) => el("td", { dataset: { key: c.key } }, fmt(r.figures[c.key], c.unit))), comment);
  }));
  table.tFoot.replaceChildren();
  $("rp-empty").hidden = report.rows.length > 0;
  $("rp-messages").hidden = true;
  $("rp-defs").replaceChildren();
  $("rp-policy").textContent = "";
  $("rp-xlsx").hidden = false;
  $("rp-xlsx").href = "/api/stats/operators.xlsx?" + new URLSearchParams({ date_from: report.date_from, date_to: report.date_to });
  document.querySelector(".rp").dataset.loaded = "operators/" + report.date_from + "/" + report.date_to + "/operator";
}

function editComment(cell, row) {
  const text = el("textarea", { rows: 2, maxlength: 2000, class: "rp-comment-text" });
  text.value = row.comment ? row.comment.text : "";
  const save = async () => {
    try {
      await api("PUT", "/api/stats/operators/" + row.user_id + "/comment",
        { date_from: report.date_from, date_to: report.date_to, comment: text.value });
      toast(t("rp.comment.saved"));
      load();
    } catch (e) { text.focus(); toast(errorText(e), "error"); }
  };
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); save(); }
    if (e.key === "Escape") { e.preventDefault(); renderOperators(); }
  });
  cell.replaceChildren(text, el("button", { type: "button", class: "btn btn-primary btn-small rp-comment-save", onclick: save },
    t("rp.comment.save"), " ", el("kbd", null, "Ctrl+Enter")));
  text.focus();
}

// ------------------------------------------------------------------ staffing forecast
let forecast = null;
let fcChart = null;

async function loadForecast() {
  const num = (id) => Number($(id).value);
  const q = new URLSearchParams({ weeks: num("fc-weeks"), target_seconds: num("fc-target-seconds"),
    target_level: num("fc-target-level") / 100, shrinkage: num("fc-shrinkage") / 100,
    max_occupancy: num("fc-max-occupancy") / 100 });
  try {
    forecast = await api("GET", "/api/stats/forecast?" + q.toString());
    renderForecast();
  } catch (e) {
    showFieldError(e, { input: byId({ weeks: "fc-weeks", target_seconds: "fc-target-seconds", target_level: "fc-target-level",
      shrinkage: "fc-shrinkage", max_occupancy: "fc-max-occupancy" }) });
  }
}

function renderForecast() {
  const f = forecast;
  $("fc-basis").textContent = t("fc.basis", { from: f.history.from, to: f.history.to, weeks: f.history.weeks,
    calls: f.history.calls, aht: f.aht_seconds, aht_note: f.aht_from_history ? "" : t("fc.aht_default") });
  const day = (d) => t("fc.weekday." + d.weekday) + " " + d.date.slice(5);
  // Half-hours where the roster has fewer operators than needed.
  const short = (d) => d.slots.filter((x) => x.scheduled !== null && x.scheduled < x.positions).length;
  const head = [t("fc.day"), t("fc.calls"), t("fc.peak")].concat(f.roster ? [t("fc.short")] : []);
  $("fc-table").tHead.replaceChildren(el("tr", null, head.map((h) => el("th", null, h))));
  $("fc-table").tBodies[0].replaceChildren(...f.days.map((d) => el("tr", { dataset: { date: d.date } },
    el("td", null, day(d)),
    el("td", null, String(Math.round(d.slots.reduce((n, s) => n + s.calls, 0)))),
    el("td", { class: "fc-peak" }, String(d.peak_positions)),
    f.roster ? el("td", { class: "fc-short" + (short(d) ? " red" : "") }, String(short(d))) : null)));
  const pick = $("fc-day");
  $("fc-day-field").hidden = !f.roster;
  const chosen = pick.value;
  pick.replaceChildren(...f.days.map((d, i) => el("option", { value: String(i) }, day(d))));
  if (chosen) pick.value = chosen;
  if (!window.echarts) return;
  if (!fcChart) fcChart = window.echarts.init($("fc-chart"), null, { renderer: "svg" });
  // Without a roster: the need of every day; with one: the chosen day's need against the plan.
  const one = f.roster ? f.days[Number(pick.value || 0)] : null;
  const series = one ? [
    { name: t("fc.need"), type: "line", step: "end", showSymbol: false, data: one.slots.map((s) => s.positions) },
    { name: t("fc.scheduled"), type: "bar", data: one.slots.map((s) => s.scheduled), itemStyle: { color: "#7aa7d9" } },
  ] : f.days.map((d) => ({ name: day(d), type: "line", step: "end", showSymbol: false,
    data: d.slots.map((s) => s.positions) }));
  fcChart.setOption({
    animation: false,
    grid: { left: 40, right: 16, top: 40, bottom: 28 },
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: f.days[0].slots.map((s) => s.start) },
    yAxis: { type: "value", minInterval: 1, name: t("fc.positions") },
    series,
  }, true);
  document.querySelector(".rp-forecast").dataset.loaded = f.days[0].date;
}

document.addEventListener("DOMContentLoaded", () => {
  if ($("fc-form")) {
    $("fc-form").addEventListener("submit", (e) => { e.preventDefault(); loadForecast(); });
    $("fc-day").addEventListener("change", () => { if (forecast) renderForecast(); });
    $("fc-roster-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const file = $("fc-roster-file").files[0];
      if (!file) { toast(t("fc.roster_choose"), "error"); return; }
      const body = new FormData();
      body.append("file", file);
      try {
        const r = await api("POST", "/api/roster/import", body);
        toast(t("fc.roster_done", { added: r.added, rejected: r.rejected.length }), r.rejected.length ? "error" : "ok");
        $("fc-rejected").replaceChildren(...r.rejected.map((x) => el("li", null,
          t("fc.roster_row", { row: x.row, field: x.field, reason: t("fc.reject." + x.code, { value: x.value || "" }) }))));
        loadForecast();
      } catch (err) { toast(errorText(err), "error"); }
    });
    onLocale(() => { if (forecast) renderForecast(); });
    loadForecast();
  }
  const q = new URLSearchParams(location.search);
  const [from, to] = range("month");
  $("rp-from").value = q.get("date_from") || iso(from);
  $("rp-to").value = q.get("date_to") || iso(to);
  if (q.get("kind") && [...$("rp-kind").options].some((o) => o.value === q.get("kind"))) $("rp-kind").value = q.get("kind");
  fillGroups(q.get("group"));
  $("rp-kind").addEventListener("change", () => { fillGroups($("rp-group").value); load(true); });
  document.querySelectorAll("[data-range]").forEach((b) => b.addEventListener("click", () => {
    const [f, t] = range(b.dataset.range);
    $("rp-from").value = iso(f);
    $("rp-to").value = iso(t);
    load(true);
  }));
  $("rp-group").addEventListener("change", () => load(true));
  $("rp-form").addEventListener("submit", (e) => { e.preventDefault(); load(true); });
  $("rp-print").addEventListener("click", () => window.print());
  onLocale(() => { if (report) load(); });
  const noGroup = () => ["operators", "wakeups", "bookings"].includes(kind());
  $("rp-group").closest(".field").hidden = noGroup();
  $("rp-kind").addEventListener("change", () => { $("rp-group").closest(".field").hidden = noGroup(); });
  window.addEventListener("resize", () => { if (chart) chart.resize(); });
  load();
});
