/* The live wallboard (issue 10, point 2): the centre now and today, readable across a room.

   The figures come from /api/stats/wallboard. The page never reloads: whenever the live feed
   reports a call, a work order or a wake-up, it asks for the figures again (at most one request in
   flight; a change during a request asks once more after it), so a change shows within a second.
   After a lost connection it reconnects with back-off and asks again, so nothing missed stays
   missed. The longest wait of the calls ringing counts up every second between answers. F, or
   the button, toggles full screen. The feed is the tab's one (live.js). Each figure's definition is its tooltip and listed below. */

import { api, errorText } from "./api.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onClose, onOpen, subscribe } from "./live.js";
import { dur, fmtTime } from "./local_time.js";

const TOPICS = new Set(["call", "work_order", "wakeup", "wakeup_task", "presence"]);
const RATE_TARGETS = ["answer_rate", "service_level"];
let data = null;
let fetchedAt = 0;
let inFlight = false;
let again = false;
let chart = null;
const lang = () => (document.documentElement.lang === "en" ? "en" : "zh");

function fmt(value, unit) {
  if (value === null || value === undefined) return "—";
  if (unit === "rate") return (value * 100).toFixed(1) + " %";
  if (unit === "seconds") return dur(value);
  return String(value);
}

function setTile(id, text, light) {
  const tile = $(id);
  if (!tile) return;
  tile.querySelector(".wb-v").textContent = text;
  if (light !== undefined) tile.dataset.light = light;
}

function label(f) { return lang() === "en" ? f.label_en : f.label_zh; }
function definition(f) { return lang() === "en" ? f.definition_en : f.definition_zh; }

function renderFigures() {
  const box = $("wb-figures");
  box.replaceChildren();
  data.figures.forEach((f) => {
    const target = data.targets[f.key];
    const tile = el("div", { class: "wb-tile", id: "wb-f-" + f.key, title: definition(f),
      dataset: { key: f.key, light: target ? target.light : "" } },
      el("div", { class: "wb-k" }, label(f)),
      el("div", { class: "wb-v" }, fmt(data.today[f.key], f.unit)));
    if (target) {
      tile.append(el("div", { class: "wb-sub" },
        t("wb.target", { value: fmt(target.target, "rate") }), " · ",
        el("span", { class: "wb-light-text" }, t("wb.light." + target.light))));
    }
    box.append(tile);
  });
  const list = $("wb-def-list");
  list.replaceChildren(...data.figures.flatMap((f) => [el("dt", null, label(f)), el("dd", null, definition(f))]));
  const p = data.policy;
  $("wb-policy").textContent = t("wb.policy", { short: p.short_abandon_seconds, sl: p.service_level_seconds,
    treatment: t("wb.treatment." + p.abandon_treatment) });
}

function renderChart() {
  const el = $("wb-chart");
  if (!window.echarts || !el) return;
  if (!chart) chart = window.echarts.init(el, null, { renderer: "svg" });
  const hh = data.half_hours;
  chart.setOption({
    animation: false,
    grid: { left: 40, right: 16, top: 32, bottom: 28 },
    legend: { top: 0, textStyle: { fontSize: 14 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: hh.map((h) => h.start) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: t("wb.chart.offered"), type: "bar", data: hh.map((h) => h.offered), itemStyle: { color: "#7aa7d9" } },
      { name: t("wb.chart.answered"), type: "bar", data: hh.map((h) => h.answered), itemStyle: { color: "#2f8f5b" } },
    ],
  }, true);
}

function tickWait() {
  if (!data) return;
  const w = data.now.longest_wait_seconds;
  setTile("wb-waiting", w === null ? "—" : dur(w + (Date.now() - fetchedAt) / 1000));
}

function render() {
  const now = data.now;
  setTile("wb-ringing", String(now.ringing), now.ringing ? "alert" : "");
  tickWait();
  setTile("wb-talking", String(now.talking));
  $("wb-op-on").textContent = now.operators.on_call;
  $("wb-op-free").textContent = now.operators.free;
  $("wb-op-in").textContent = now.operators.logged_in;
  $("wb-op-away").textContent = now.operators.away;
  // Who is away, why and for how long: the shift leader sees a break running long.
  $("wb-away-list").replaceChildren(...now.operators.away_list.map((a) => el("li", {
    className: a.long ? "long" : "" },
    `${a.name} · ${t("presence.reason." + a.reason)} · ${t("wb.away_minutes", { n: a.minutes })}`)));
  renderFigures();
  renderChart();
  setTile("wb-due-today", String(data.work_orders.due_today));
  setTile("wb-late", String(data.work_orders.late), data.work_orders.late ? "red" : "");
  const wk = data.wakeups;
  ["wb-wk-h", "wb-wk-next", "wb-wk-overdue", "wb-wk-esc"].forEach((id) => { $(id).hidden = !wk; });
  if (wk) {
    setTile("wb-wk-next", String(wk.due_next_hour));
    setTile("wb-wk-overdue", String(wk.overdue), wk.overdue ? "red" : "");
    setTile("wb-wk-esc", String(wk.escalated), wk.escalated ? "red" : "");
  }
  $("wb-lines").textContent = data.lines ? t("wb.lines", { lines: data.lines.join(lang() === "en" ? ", " : "、") }) : t("wb.all_lines");
  $("wb-at").textContent = fmtTime(data.at);
  document.getElementById("wb").dataset.updated = data.at;
}

async function refresh() {
  if (inFlight) { again = true; return; }
  inFlight = true;
  try {
    do {
      again = false;
      data = await api("GET", "/api/stats/wallboard");
      fetchedAt = Date.now();
      render();
    } while (again);
  } catch (e) {
    toast(errorText(e), "error");
  } finally {
    inFlight = false;
  }
}

function setConnected(ok) {
  const c = $("wb-conn");
  c.textContent = t(ok ? "wb.live" : "wb.offline");
  c.dataset.i18n = ok ? "wb.live" : "wb.offline";
  c.classList.toggle("off", !ok);
}

function connect() {
  onOpen(() => { setConnected(true); refresh(); });  // and anything missed meanwhile
  onClose(() => setConnected(false));
  subscribe([...TOPICS], () => refresh());
}

function toggleFull() {
  const on = !document.body.classList.contains("wb-full");
  document.body.classList.toggle("wb-full", on);
  $("wb-full-label").dataset.i18n = on ? "wb.exit_fullscreen" : "wb.fullscreen";
  $("wb-full-label").textContent = t($("wb-full-label").dataset.i18n);
  if (on && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {});
  if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
  if (chart) chart.resize();
}

document.addEventListener("DOMContentLoaded", () => {
  $("wb-full").addEventListener("click", toggleFull);
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    if (e.key === "f" || e.key === "F") { e.preventDefault(); toggleFull(); }
    if (e.key === "Escape" && document.body.classList.contains("wb-full")) toggleFull();
  });
  document.addEventListener("fullscreenchange", () => {
    if (!document.fullscreenElement && document.body.classList.contains("wb-full")) toggleFull();
  });
  window.addEventListener("resize", () => { if (chart) chart.resize(); });
  onLocale(() => { if (data) render(); });
  setConnected(false);
  refresh();
  connect();
  setInterval(tickWait, 1000);
  // Figures that change with the clock alone (a wake-up coming within the hour, an order
  // turning late, the next half-hour) without any event.
  setInterval(refresh, 60000);
});
