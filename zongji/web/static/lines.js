/* Published lines (issue 3 point 7), /settings/lines. Tab "lines": every line with its number,
   hours and where its calls go right now (with the reason); the form edits name, number, kind,
   inbound-only (R-S1), greetings (R-H1, R-C1, R-S14, R-P10), hours, responsible person, deputy
   (R-S5), after-hours forwarding (R-S2) and the silence check. Tab "faults": silence alerts with
   the test call's result (R-S3), outbound calls the PBX reported on inbound-only lines (R-S1),
   open and past faults; record and close a fault. Tab "info": facilities and long-distance rates
   (R-H7). Supervisors and admins edit lines; shift leaders read them and record faults.
   Data: /api/switchboard/lines[/{code}], /faults, /alerts, /line-violations, /api/information/*.
   Keys: Alt+1…3 tabs; ↑/↓ move in the lines, Enter edits; Ctrl+Enter saves; Alt+N a new fault;
   Esc closes a form. Live: topics fault, alert, line_violation reload the faults tab. */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { locale, onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtStamp, tzOffset } from "./local_time.js";
import { load as loadInformation } from "./lines_info.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins
// The faults tab is read again after each answer and on each live message: several reads can be
// under way at once, and one begun before an alert was answered must not show it again after the
// newer read has cleared it.
const freshFaults = newestRead();

(function () {
  const root = document.getElementById("lines-page");
  if (!root) return;
  const cfg = config;
  const canEdit = !!cfg.can_edit;
  const TABS = ["lines", "faults", "info"];
  const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  let lines = [];
  let selected = null; // line code being edited
  let closing = null; // fault being closed
  const L = (x) => (x ? (locale === "en" ? x.en || x.zh : x.zh || x.en) : "");

  // ---------------------------------------------------------------- errors by the field
  const clearErrors = clearFieldErrors;
  /** The API's message by the field it names (a day's hours: that day's input). */
  function showError(scope, err, fallback) {
    const dayInput = (name) => { const day = name.match(/^working_hours\.(\w+)/); return day ? scope.querySelector(`[name="day-${day[1]}"]`) : null; };
    showFieldError(err, { scope, slots: true, fallback, mark: "invalid", input: dayInput });
  }

  // ---------------------------------------------------------------- local times (the organisation's zone)
  function toLocalInput(iso) { return iso ? fmtStamp(iso).slice(0, 16).replace(" ", "T") : ""; }
  function fromLocalInput(value) {
    if (!value) return null;
    const guess = new Date(value + ":00Z");
    return value + ":00" + tzOffset(guess);
  }

  // ---------------------------------------------------------------- tabs
  function tab(name, focus) {
    if (!TABS.includes(name)) name = "lines";
    TABS.forEach((n) => { $("tab-" + n).hidden = n !== name; });
    document.querySelectorAll("#ln-tabs a").forEach((a) => a.classList.toggle("on", a.dataset.tab === name));
    if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
    if (name === "lines") loadLines(focus);
    else if (name === "faults") loadFaults();
    else loadInformation();
  }
  document.querySelectorAll("#ln-tabs a").forEach((a) => a.addEventListener("click", (e) => { e.preventDefault(); tab(a.dataset.tab); }));

  // ---------------------------------------------------------------- lines
  function routeText(ln) {
    const r = ln.route_now;
    if (!r) return { who: "—", why: "" };
    let who, state = r.puts_through ? "ok" : "bad";
    if (r.forward) who = L(r.forward.who) + " " + (r.forward.number || "");
    else if (r.puts_through) who = L(r.target_label) + (r.dial ? " " + r.dial : "");
    else if (!ln.responsible) { who = t("ln.route.operators"); state = "plain"; }  // nobody named: the console answers
    else who = t("ln.route.nobody");
    const reason = L(r.reason), extra = r.forward ? L(r.forward.why) : "";
    const why = extra && extra !== reason ? reason + " " + extra : reason;
    return { who: who.trim(), why, state };
  }
  function stateCell(ln) {
    const tags = [];
    if (ln.inbound_only) tags.push(el("span", { class: "ln-tag t-in" }, t("ln.tag.inbound_only")));
    if (ln.open_faults) tags.push(el("span", { class: "ln-tag t-fault" }, t("ln.tag.faults", { n: ln.open_faults })));
    if (ln.responsible_on_leave) tags.push(el("span", { class: "ln-tag t-leave" }, t("ln.tag.leave")));
    if (!ln.silence_check) tags.push(el("span", { class: "ln-tag" }, t("ln.tag.no_silence")));
    return el("td", { class: "ln-tags" }, ...tags);
  }
  function rowFor(ln) {
    const r = routeText(ln);
    return el("tr", { "data-code": ln.code, tabindex: "0", class: ln.code === selected ? "sel" : null,
      onclick: () => edit(ln.code), onkeydown: rowKey },
      el("td", { class: "mono" }, ln.code),
      el("td", null, ln.name),
      el("td", null, t("ln.kind." + ln.kind)),
      el("td", { class: "mono" }, ln.number),
      el("td", { class: "small" }, ln.hours_text ? L(ln.hours_text) : t("ln.always")),
      el("td", { class: "ln-route-cell" }, el("div", { class: "ln-route-who " + r.state }, r.who), el("div", { class: "muted small" }, r.why)),
      stateCell(ln));
  }
  function rowKey(e) {
    const row = e.currentTarget;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const next = e.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
      if (next) next.focus();
    } else if (e.key === "Enter") {
      e.preventDefault();
      edit(row.dataset.code, true);
    }
  }
  async function loadLines(focus) {
    let data;
    try { data = await freshRead(api("GET", "/api/switchboard/lines")); } catch (e) { toast(errorText(e), "error"); return; }
    lines = data.items;
    $("ln-table").querySelector("tbody").replaceChildren(...lines.map(rowFor));
    if (selected) fillForm(lines.find((x) => x.code === selected));
    else if (focus !== false) { const first = $("ln-table").querySelector("tbody tr"); if (first) first.focus(); }
  }

  function peopleOptions(select, ln, current, emptyKey) {
    const org = (cfg.line_orgs || {})[ln.code];
    const people = (cfg.people || []).filter((p) => org === undefined || p.org === org);
    const opts = [el("option", { value: "" }, t(emptyKey))];
    let dept, group = null;
    for (const p of people) {
      if (p.department !== dept) { dept = p.department; group = el("optgroup", { label: dept || t("ln.no_department") }); opts.push(group); }
      group.append(el("option", { value: String(p.id) }, p.name + (p.title ? " · " + p.title : "") + (p.mobile ? "" : " " + t("ln.no_mobile"))));
    }
    select.replaceChildren(...opts);
    select.value = current ? String(current.id) : "";
  }
  function intervalsText(list) { return (list || []).map((iv) => iv[0] + "-" + iv[1]).join(" "); }
  function fillDays(wh) {
    $("ln-days").replaceChildren(...DAYS.map((d) => {
      const list = wh ? (d in wh ? wh[d] : wh.all) : null;
      return el("label", { class: "field ln-day" }, el("span", null, t("ln.day." + d)),
        el("input", { name: "day-" + d, value: intervalsText(list), placeholder: t("ln.closed"), class: "mono", "aria-label": t("ln.day." + d) }));
    }));
    $("ln-always").checked = !wh;
    syncAlways();
  }
  function syncAlways() { $("ln-days").querySelectorAll("input").forEach((i) => { i.disabled = $("ln-always").checked; }); }
  $("ln-always").addEventListener("change", syncAlways);

  function greetingNow(ln) {
    const g = ln.greeting || {};
    return el("div", null,
      el("div", { class: "ln-gn-label muted small" }, t("ln.greeting_now")),
      el("div", { class: "greeting-zh", id: "ln-greeting-now-zh" }, g.now ? g.now.zh : ""),
      el("div", { class: "greeting-en muted" }, g.now ? g.now.en : ""),
      el("div", { class: "ln-gn-label muted small" }, t("ln.greeting_default")),
      el("div", { class: "small" }, g.default ? g.default.zh + " / " + g.default.en : ""));
  }
  function fillForm(ln) {
    if (!ln) return;
    const f = $("ln-form");
    clearErrors(f);
    f.hidden = false; $("ln-pick").hidden = true;
    $("ln-form-title").textContent = ln.name; $("ln-form-code").textContent = ln.code;
    const r = routeText(ln);
    $("ln-route").className = "ln-route " + r.state;
    $("ln-route").replaceChildren(el("div", null, el("span", { class: "muted" }, t("ln.route_now") + (locale === "en" ? ": " : "：")), el("b", { id: "ln-route-who" }, r.who)),
      el("div", { class: "small" }, r.why));
    f.elements["name"].value = ln.name; f.kind.value = ln.kind; f.number.value = ln.number; f.inbound_only.checked = !!ln.inbound_only;
    f.greeting_zh.value = ln.greeting_zh || ""; f.greeting_en.value = ln.greeting_en || ""; f.internal_greeting_zh.value = ln.internal_greeting_zh || "";
    f.greeting_zh.placeholder = ln.greeting && ln.greeting.default ? ln.greeting.default.zh : "";
    f.greeting_en.placeholder = ln.greeting && ln.greeting.default ? ln.greeting.default.en : "";
    f.internal_greeting_zh.placeholder = ln.greeting && ln.greeting.default_internal ? ln.greeting.default_internal.zh : "";
    $("ln-greeting-now").replaceChildren(greetingNow(ln));
    fillDays(ln.working_hours);
    peopleOptions(f.responsible_id, ln, ln.responsible, "ln.nobody");
    peopleOptions(f.deputy_id, ln, ln.deputy, "ln.nobody");
    peopleOptions(f.after_hours_id, ln, ln.after_hours, "ln.nobody");
    f.responsible_on_leave.checked = !!ln.responsible_on_leave;
    f.leave_until.value = toLocalInput(ln.leave_until);
    f.silence_check.checked = !!ln.silence_check;
    document.querySelectorAll("#ln-table tbody tr").forEach((tr) => tr.classList.toggle("sel", tr.dataset.code === ln.code));
  }
  function edit(code, focus) {
    selected = code;
    fillForm(lines.find((x) => x.code === code));
    if (focus) (canEdit ? $("ln-form").elements["name"] : $("ln-route")).focus();
  }
  function readHours() {
    if ($("ln-always").checked) return { value: null };
    const wh = {};
    for (const d of DAYS) {
      const text = $("ln-form")["day-" + d].value.trim();
      if (!text) { wh[d] = []; continue; }
      const parts = text.split(/[\s,，;；、]+/).filter(Boolean);
      wh[d] = [];
      for (const p of parts) {
        const m = p.match(/^(\d{1,2}:\d{2})[-–~～](\d{1,2}:\d{2})$/);
        if (!m) return { error: { field: "working_hours." + d, message: t("ln.hours_bad", { text: p }) } };
        const pad = (x) => x.padStart(5, "0");
        wh[d].push([pad(m[1]), pad(m[2])]);
      }
    }
    return { value: wh };
  }
  async function save(e) {
    if (e) e.preventDefault();
    if (!canEdit || !selected) return;
    const f = $("ln-form");
    clearErrors(f);
    const hours = readHours();
    if (hours.error) { showError(f, { body: { fields: [hours.error] } }, "working_hours"); return; }
    const id = (v) => (v ? Number(v) : null);
    const body = {
      name: f.elements["name"].value.trim(), kind: f.kind.value, number: f.number.value.trim(), inbound_only: f.inbound_only.checked,
      greeting_zh: f.greeting_zh.value.trim() || null, greeting_en: f.greeting_en.value.trim() || null,
      internal_greeting_zh: f.internal_greeting_zh.value.trim() || null,
      working_hours: hours.value, responsible_id: id(f.responsible_id.value), deputy_id: id(f.deputy_id.value),
      after_hours_id: id(f.after_hours_id.value), responsible_on_leave: f.responsible_on_leave.checked,
      leave_until: fromLocalInput(f.leave_until.value), silence_check: f.silence_check.checked,
    };
    let out;
    try { out = await api("PUT", "/api/switchboard/lines/" + encodeURIComponent(selected), body); } catch (err) { showError(f, err, "form"); return; }
    toast(t("set.saved"), "ok");
    lines = lines.map((x) => (x.code === out.code ? out : x));
    $("ln-table").querySelector("tbody").replaceChildren(...lines.map(rowFor));
    fillForm(out);
  }
  $("ln-form").addEventListener("submit", save);
  $("ln-form").addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); save(); }
    if (e.key === "Escape") { e.preventDefault(); cancelEdit(); }
  });
  function cancelEdit() {
    const code = selected;
    selected = null;
    $("ln-form").hidden = true; $("ln-pick").hidden = false;
    const row = code && document.querySelector(`#ln-table tr[data-code="${CSS.escape(code)}"]`);
    document.querySelectorAll("#ln-table tbody tr").forEach((tr) => tr.classList.remove("sel"));
    if (row) row.focus();
  }
  if ($("ln-cancel")) $("ln-cancel").addEventListener("click", cancelEdit);

  // ---------------------------------------------------------------- faults, alerts, violations
  function lineLabel(x) { return x ? x.name + " (" + x.code + ")" : ""; }
  async function loadFaults() {
    let open, past, alerts, violations;
    try {
      [open, past, alerts, violations] = await freshFaults(Promise.all([
        api("GET", "/api/switchboard/faults"), api("GET", "/api/switchboard/faults?state=all"),
        api("GET", "/api/switchboard/alerts"), api("GET", "/api/switchboard/line-violations").catch(() => ({ items: [] }))]));
    } catch (e) { toast(errorText(e), "error"); return; }
    if (!lines.length) { try { lines = (await api("GET", "/api/switchboard/lines")).items; } catch (e) { /* keep */ } }
    const sel = $("fault-line");
    const keep = sel.value;
    sel.replaceChildren(...lines.map((ln) => el("option", { value: ln.code }, lineLabel(ln))));
    if (keep) sel.value = keep;
    renderAlerts(alerts.items);
    $("ln-violations").querySelector("tbody").replaceChildren(...(violations.items.length ? violations.items.map((v) => el("tr", null,
      el("td", { class: "mono nowrap" }, fmtStamp(v.at).slice(0, 16)), el("td", null, lineLabel(v.line)),
      el("td", { class: "mono" }, v.called_number || ""), el("td", null, v.answered_by || v.calling_number || "")))
      : [el("tr", null, el("td", { colspan: "4", class: "muted" }, t("ln.v.none")))]));
    $("ln-faults-open").querySelector("tbody").replaceChildren(...(open.items.length ? open.items.map((f) => el("tr", { "data-fault": f.id },
      el("td", null, lineLabel(f.line)), el("td", null, f.cause),
      el("td", { class: "mono nowrap" }, fmtStamp(f.started_at).slice(0, 16)),
      el("td", { class: "small" }, f.reported_to + " · " + f.reported_by),
      el("td", { class: "actions" }, el("button", { type: "button", class: "btn notif-btn", onclick: () => startClose(f) }, t("ln.f.close")))))
      : [el("tr", null, el("td", { colspan: "5", class: "muted" }, t("ln.f.none_open")))]));
    const closed = past.items.filter((f) => !f.open);
    $("ln-faults-past").querySelector("tbody").replaceChildren(...(closed.length ? closed.map((f) => el("tr", { "data-fault": f.id },
      el("td", null, lineLabel(f.line)), el("td", null, f.cause),
      el("td", { class: "mono nowrap" }, fmtStamp(f.started_at).slice(0, 16)),
      el("td", { class: "mono nowrap" }, fmtStamp(f.ended_at).slice(0, 16)),
      el("td", { class: "small" }, (f.resolution || "") + (f.closed_by ? " · " + f.closed_by : ""))))
      : [el("tr", null, el("td", { colspan: "5", class: "muted" }, t("ln.f.none_past")))]));
    const n = alerts.items.length + open.items.length;
    $("ln-faults-count").hidden = !n; $("ln-faults-count").textContent = String(n);
    const banner = [];
    if (alerts.items.length) banner.push(t("ln.banner.alerts", { n: alerts.items.length }));
    if (open.items.length) banner.push(t("ln.banner.faults", { n: open.items.length }));
    $("ln-banner").hidden = !banner.length; $("ln-banner").textContent = banner.join(" ");
  }
  function renderAlerts(items) {
    const box = $("ln-alerts");
    if (!items.length) { box.replaceChildren(el("div", { class: "muted small" }, t("ln.a.none"))); return; }
    box.replaceChildren(...items.map((a) => {
      const cause = el("input", { name: "cause", maxlength: "1000", placeholder: t("ln.a.cause"), "aria-label": t("ln.a.cause") });
      const err = el("div", { class: "field-error", "data-for": "cause" });
      const card = el("div", { class: "ln-alert", "data-alert": a.id },
        el("div", { class: "ln-alert-text" }, el("b", null, L(a.message)),
          el("div", { class: "muted small" }, t("ln.a.since", { at: fmtStamp(a.silent_since).slice(0, 16), usual: a.usual_minutes === null ? "—" : Math.round(a.usual_minutes) }))),
        el("div", { class: "ln-alert-actions" },
          el("button", { type: "button", class: "btn", onclick: () => testCall(a, true, null, card) }, t("ln.a.ok")),
          cause,
          el("button", { type: "button", class: "btn btn-danger", onclick: () => testCall(a, false, cause.value, card) }, t("ln.a.fault"))),
        err);
      cause.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); testCall(a, false, cause.value, card); } });
      return card;
    }));
  }
  async function testCall(a, ok, cause, card) {
    clearErrors(card);
    try { await api("POST", "/api/switchboard/alerts/" + a.id + "/test-call", { ok, cause: cause ? cause.trim() : null }); } catch (err) { showError(card, err, "cause"); return; }
    toast(ok ? t("ln.a.cleared") : t("ln.a.faulted"), "ok");
    loadFaults();
  }
  $("fault-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = $("fault-form"); clearErrors(f);
    const code = $("fault-line").value;
    if (!code) { showError(f, { body: { field: "code", message: t("ln.f.need_line") } }, "code"); return; }
    const body = { cause: $("fault-cause").value.trim(), reported_to: $("fault-to").value.trim() || null };
    const start = fromLocalInput($("fault-start").value);
    if (start) body.started_at = start;
    try { await api("POST", "/api/switchboard/lines/" + encodeURIComponent(code) + "/faults", body); } catch (err) { showError(f, err, "cause"); return; }
    toast(t("ln.f.recorded"), "ok");
    $("fault-cause").value = ""; $("fault-start").value = "";
    loadFaults();
  });
  $("fault-form").addEventListener("keydown", (e) => { if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); $("fault-form").requestSubmit(); } });
  function startClose(f) {
    closing = f;
    const form = $("close-form"); clearErrors(form);
    form.hidden = false;
    $("close-what").textContent = lineLabel(f.line) + (locale === "en" ? ": " : "：") + f.cause;
    $("close-end").value = toLocalInput(new Date().toISOString());
    $("close-end").dataset.now = $("close-end").value;  // unchanged: "now" to the second
    $("close-resolution").value = "";
    $("close-resolution").focus();
  }
  function stopClose() { closing = null; $("close-form").hidden = true; }
  $("close-cancel").addEventListener("click", stopClose);
  $("close-form").addEventListener("keydown", (e) => {
    if (e.key === "Escape") { e.preventDefault(); stopClose(); }
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); $("close-form").requestSubmit(); }
  });
  $("close-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!closing) return;
    const form = $("close-form"); clearErrors(form);
    const end = $("close-end").value;
    const body = { resolution: $("close-resolution").value.trim() || null, ended_at: end && end !== $("close-end").dataset.now ? fromLocalInput(end) : null };
    try { await api("POST", "/api/switchboard/faults/" + closing.id + "/close", body); } catch (err) { showError(form, err, "ended_at"); return; }
    toast(t("ln.f.closed"), "ok");
    stopClose();
    loadFaults();
  });

  // ---------------------------------------------------------------- keys, live, language
  document.addEventListener("keydown", (e) => {
    if (e.altKey && !e.ctrlKey && /^[1-3]$/.test(e.key)) { e.preventDefault(); tab(TABS[Number(e.key) - 1]); }
    if (e.altKey && (e.key === "n" || e.key === "N")) { e.preventDefault(); tab("faults"); $("fault-cause").focus(); }
  });
  function live() {
    let first = true;
    onOpen(() => {  // after a lost connection: what changed meanwhile
      if (first) { first = false; return; }
      if (!$("tab-faults").hidden) loadFaults();
      else if (!$("tab-lines").hidden) loadLines(false);
    });
    subscribe(["fault", "alert", "line_violation"], (msg) => {
      if (!$("tab-faults").hidden) loadFaults();
      else if (!$("tab-lines").hidden && msg.topic === "fault") loadLines(false);
    });
  }
  onLocale(() => { tab(location.hash.slice(1) || "lines", false); });
  document.addEventListener("DOMContentLoaded", () => {
    tab(location.hash.slice(1) || "lines");
    if (location.hash.slice(1) !== "faults") loadFaults();  // the banner and the count
    live();
  });
})();
