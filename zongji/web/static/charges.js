/* The call charges page (issue 13 point 4, R-H10, R-H14), /charges: charges not on a folio yet
   (queued, with the PMS, refused, no stay, no rate) with what a shift leader can do about each —
   send again, record as posted by hand, write off with a reason —, every charge of some days or
   of a room, the IDD/DDD statistics of a range of days with their XLSX, and what a call would
   cost. Data: /api/charges…; live: topic call_charge reloads the list. R reloads by hand. */

import { api, errorText, newestRead } from "./api.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { dur, fmtStamp, localDate } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";
// Read again on live messages and after changes: the newest read wins (api.newestRead).
const freshCharges = newestRead();
const freshPolicies = newestRead();

(function () {
  const root = document.getElementById("charges-page");
  if (!root) return;
  const filter = $("charges-filter"), ldForm = $("ld-filter"), quoteForm = $("quote-form");
  let lastList = null, lastLd = null;
  const yuan = (fen) => "¥" + (fen / 100).toFixed(2);

  function query(form) {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) p.set(k, String(v).trim());
    return p;
  }

  function actions(c) {
    if (!["queued", "refused", "no_stay", "unrated"].includes(c.state)) return "";
    const act = async (path, needReason) => {
      let reason = null;
      if (needReason) {
        reason = window.prompt(t("charges.reason_prompt"));
        if (reason === null) return;
      }
      try {
        await api("POST", `/api/charges/${c.id}/${path}`, { reason });
        toast(t("charges.done"), "info");
        loadList();
      } catch (err) {
        toast(errorText(err), "error");
      }
    };
    const buttons = [];
    if (c.state !== "queued" && c.state !== "unrated" && c.reason !== "no_pms") {
      buttons.push(el("button", { class: "btn btn-small", type: "button", onclick: () => act("requeue") }, t("charges.act.requeue")));
    }
    buttons.push(el("button", { class: "btn btn-small", type: "button", onclick: () => act("post-by-hand") }, t("charges.act.by_hand")));
    buttons.push(el("button", { class: "btn btn-small", type: "button", onclick: () => act("write-off", true) }, t("charges.act.write_off")));
    return buttons;
  }

  function destination(c) {
    return (document.documentElement.lang === "en" && c.destination_en) || c.destination || "";
  }

  function stateText(c) {
    // Without a PMS every charge waits for the front desk: not a refusal.
    return t(c.reason === "no_pms" && c.state === "refused" ? "charges.state.front_desk" : "charges.state." + c.state);
  }

  function reasonText(r) {
    if (!r) return "";
    const key = "charges.reason." + r;
    const text = t(key);
    return text === key ? r : text;
  }

  function renderList(data) {
    lastList = data;
    const body = $("charges-table").tBodies[0];
    body.replaceChildren(...data.items.map((c) => el("tr", { dataset: { state: c.state } },
      el("td", {}, fmtStamp(c.called_at)),
      el("td", {}, c.room ? t("charges.payer.room", { room: c.room }) : (c.department || c.extension)),
      el("td", { class: "mono" }, c.dialled),
      el("td", {}, t("charges.kind." + c.kind) + (c.kind === "idd" || c.kind === "service" ? " · " + destination(c) : "")),
      el("td", {}, c.kind === "service" ? "—" : dur(c.talk_seconds)),
      el("td", { class: "num" }, c.state === "unrated" ? "—" : yuan(c.amount_fen)),
      el("td", {}, el("span", { class: "badge state-" + c.state }, stateText(c)),
        c.reason ? el("div", { class: "muted small" }, reasonText(c.reason)) : null),
      el("td", {}, actions(c)))));
    $("charges-empty").hidden = data.items.length > 0;
    const banner = $("charges-missed");
    banner.hidden = !data.missed_total;
    banner.textContent = data.missed_total ? t("charges.missed_banner", { n: data.missed_total }) : "";
  }

  async function loadList() {
    clearFieldErrors(filter);
    try {
      renderList(await freshCharges(api("GET", "/api/charges?" + query(filter))));
    } catch (err) {
      showFieldError(err, { scope: filter, slots: true, mark: "invalid" });
    }
  }

  function renderLd(data) {
    lastLd = data;
    const head = (key) => el("tr", { class: "section" }, el("th", { colspan: 7 }, t(key)));
    const row = (label, r) => el("tr", {}, el("td", {}, label),
      el("td", { class: "num" }, r.idd_count), el("td", { class: "num" }, r.idd_minutes),
      el("td", { class: "num" }, yuan(r.idd_amount_fen)), el("td", { class: "num" }, r.ddd_count),
      el("td", { class: "num" }, r.ddd_minutes), el("td", { class: "num" }, yuan(r.ddd_amount_fen)));
    $("ld-table").tBodies[0].replaceChildren(
      ...data.days.map((d) => row(d.day, d)),
      el("tr", { class: "total" }, ...row(t("charges.ld.total"), data.total).children),
      ...(data.rooms.length ? [head("charges.ld.by_room")] : []),
      ...data.rooms.map((r) => row(t("charges.payer.room", { room: r.room }), r)),
      ...(data.departments.length ? [head("charges.ld.by_department")] : []),
      ...data.departments.map((r) => row(r.department, r)));
    $("ld-xlsx").href = "/api/charges/long-distance.xlsx?" + query(ldForm);
  }

  async function loadLd() {
    clearFieldErrors(ldForm);
    try {
      renderLd(await api("GET", "/api/charges/long-distance?" + query(ldForm)));
    } catch (err) {
      showFieldError(err, { scope: ldForm, slots: true, mark: "invalid" });
    }
  }

  filter.addEventListener("submit", (e) => { e.preventDefault(); loadList(); });
  ldForm.addEventListener("submit", (e) => { e.preventDefault(); loadLd(); });
  let lastQuote = null;
  function renderQuote(q) {
    lastQuote = q;
    $("q-result").textContent = q.charged
      ? t("charges.quote.result", { kind: t("charges.kind." + q.kind), dest: destination(q), amount: yuan(q.amount_fen), minutes: q.minutes })
      : t("charges.quote.free", { kind: t("charges.kind." + q.kind) });
  }
  quoteForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(quoteForm);
    try {
      renderQuote(await api("GET", "/api/charges/quote?" + query(quoteForm)));
    } catch (err) {
      lastQuote = null;
      $("q-result").textContent = "";
      showFieldError(err, { scope: quoteForm, slots: true, mark: "invalid" });
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "r" && !e.altKey && !e.ctrlKey && !e.metaKey && !(e.target instanceof HTMLInputElement)) {
      loadList();
      loadLd();
    }
  });
  // ---- the week's special calls (R-H14)
  const spForm = $("sp-filter");
  let lastSp = null;
  function renderSp(d) {
    lastSp = d;
    $("sp-range").textContent = t("gsa.range", { from: d.date_from, to: d.date_to });
    $("sp-table").tBodies[0].replaceChildren(...d.items.map((c) => el("tr", {},
      el("td", {}, fmtStamp(c.called_at)),
      el("td", {}, c.room ? t("charges.payer.room", { room: c.room }) : (c.department || c.extension)),
      el("td", { class: "mono" }, c.dialled),
      el("td", {}, dur(c.talk_seconds)),
      el("td", { class: "num" }, c.kind === "unknown" ? "—" : yuan(c.amount_fen)),
      el("td", {}, c.reasons.map((r) => t("charges.sp.reason." + r)).join(t("charges.sp.sep"))))));
    $("sp-xlsx").href = "/api/charges/special.xlsx?" + query(spForm);
  }
  async function loadSp() {
    clearFieldErrors(spForm);
    try { renderSp(await api("GET", "/api/charges/special?" + query(spForm))); }
    catch (err) { showFieldError(err, { scope: spForm, slots: true, mark: "invalid" }); }
  }
  spForm.addEventListener("submit", (e) => { e.preventDefault(); loadSp(); });

  // ---- company numbers: who pays, monthly caps, the statement (supervisors and admins; R-C6)
  const polPanel = $("policies-panel");
  let lastPolicies = null;
  function renderPolicies(list) {
    lastPolicies = list;
    $("policies-table").tBodies[0].replaceChildren(...list.map((p) => el("tr", {},
      el("td", { class: "mono" }, p.number),
      el("td", {}, [p.person, p.department].filter(Boolean).join(" · ")),
      el("td", {}, t("charges.split." + p.split) + (p.split === "share" ? ` ${p.person_share_percent}%` : "")),
      el("td", { class: "num" }, p.monthly_cap_fen ? yuan(p.monthly_cap_fen) : "—"),
      el("td", { class: "num" }, yuan(p.month_total_fen)),
      el("td", {}, p.barred ? el("span", { class: "badge state-refused" }, t("charges.pol.barred"))
        : (p.lifted_this_month ? t("charges.pol.lifted") : t("charges.pol.open"))),
      el("td", {}, p.barred ? el("button", { class: "btn btn-small", type: "button", onclick: () => lift(p) }, t("charges.pol.lift")) : ""))));
  }
  async function loadPolicies() {
    if (!polPanel) return;
    try { renderPolicies(await freshPolicies(api("GET", "/api/charges/policies"))); } catch (err) { toast(errorText(err), "error"); }
  }
  async function lift(p) {
    try {
      await api("POST", `/api/charges/policies/${p.id}/lift`, {});
      toast(t("charges.done"), "info");
      loadPolicies();
    } catch (err) { toast(errorText(err), "error"); }
  }
  if (polPanel) {
    const form = $("policy-form");
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      const cap = String(form.elements.monthly_cap.value).trim();
      try {
        await api("PUT", "/api/charges/policies/" + encodeURIComponent(form.elements.number.value.trim() || "-"), {
          split: form.elements.split.value, person_share_percent: Number(form.elements.person_share_percent.value || 0),
          monthly_cap_fen: cap === "" ? null : Math.round(Number(cap) * 100),
        });
        toast(t("charges.done"), "info");
        loadPolicies();
      } catch (err) {
        showFieldError(err, { scope: form, slots: true, mark: "invalid" });
      }
    });
    const month = $("stmt-month");
    const [y, m] = localDate().slice(0, 7).split("-").map(Number);
    for (let i = 0; i < 13; i++) {  // this month and the twelve before it
      const d = new Date(Date.UTC(y, m - 1 - i, 1));
      const value = d.toISOString().slice(0, 7);
      month.append(el("option", { value }, value));
    }
    const link = () => { $("stmt-xlsx").href = "/api/charges/statement.xlsx?month=" + encodeURIComponent(month.value); };
    month.addEventListener("change", link);
    link();
    subscribe(["cost_policy"], loadPolicies);
    loadPolicies();
  }

  const today = localDate();
  $("ld-from").value = today;
  $("ld-to").value = today;
  $("sp-day").value = today;
  subscribe(["call_charge"], loadList);
  onOpen(loadList);
  onLocale(() => {
    if (lastList) renderList(lastList);
    if (lastLd) renderLd(lastLd);
    if (lastQuote) renderQuote(lastQuote);
    if (lastPolicies) renderPolicies(lastPolicies);
    if (lastSp) renderSp(lastSp);
  });
  loadList();
  loadLd();
  loadSp();
})();
