/* Customer files (issue 13 point 7, R-G6). /guests/{id}: the guest's file — class, preferences,
   stays with their surveys, calls, requests, complaints, satisfaction (rooms only for the roles
   that see rooms); a shift leader edits the class, the preferences (one per line, "topic：text"
   with the topic's name as shown) and the note. /guests/surveys: stays checked out lately that
   are due a satisfaction survey; record the score 1–5 and a comment, or no answer / declined. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { fmtStamp } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";

const TOPICS = ["pillow", "newspaper", "room_location", "bed", "diet", "amenities", "language", "other"];

function topicOf(label) {
  const l = label.trim().toLowerCase();
  return TOPICS.find((k) => t("file.topic." + k).toLowerCase() === l || k === l) || null;
}

(function filePage() {
  const root = $("file-page");
  if (!root) return;
  let last = null;
  function render(f) {
    last = f;
    $("file-name").textContent = t("file.title") + " · " + f.name + (f.vip ? " (VIP)" : "");
    const row = (k, v) => el("tr", {}, el("th", {}, t(k)), el("td", {}, v === null || v === undefined || v === "" ? "—" : String(v)));
    $("file-basics").replaceChildren(
      row("file.grade", t("file.grade." + f.grade)), row("file.mobile", f.mobile), row("file.language", f.language),
      row("file.preferences", (f.preferences || []).map((p) => t("file.topic." + p.topic) + "：" + p.text).join("；")),
      row("file.calls", f.calls), row("file.requests", (f.requests || []).map((r) => `${r.item} ×${r.count}`).join("、")),
      row("file.complaints", f.complaints), row("file.satisfaction_h", f.satisfaction), row("file.note", f.note));
    $("file-stays").replaceChildren(...f.stays.map((s) => el("tr", {},
      el("td", {}, fmtStamp(s.arrival)), el("td", {}, fmtStamp(s.departure)), el("td", {}, s.room || "—"),
      el("td", {}, s.survey ? (s.survey.result === "answered" ? `${s.survey.score}/5 ${s.survey.comment || ""}` : t("file.result." + s.survey.result)) : "—"))));
    const form = $("file-form");
    if (form && !form.dataset.filled) {
      form.dataset.filled = "1";
      form.elements.grade.value = f.grade;
      form.elements.preferences.value = (f.preferences || []).map((p) => t("file.topic." + p.topic) + "：" + p.text).join("\n");
      form.elements.note.value = f.note || "";
    }
  }
  async function load() {
    try { render(await api("GET", `/api/guests/${config.guest_id}/file`)); } catch (err) { toast(errorText(err), "error"); }
  }
  const form = $("file-form");
  if (form) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      const prefs = [];
      for (const line of form.elements.preferences.value.split("\n")) {
        if (!line.trim()) continue;
        const m = line.split(/[：:]/);
        const topic = m.length > 1 ? topicOf(m[0]) : "other";
        if (!topic) {
          showFieldError({ body: { field: "preferences", message: t("file.prefs_bad", { line }) } }, { scope: form, slots: true, mark: "invalid" });
          return;
        }
        prefs.push({ topic, text: (m.length > 1 ? m.slice(1).join("：") : line).trim() });
      }
      try {
        render(await api("PUT", `/api/guests/${config.guest_id}/profile`,
          { grade: form.elements.grade.value, preferences: prefs, note: form.elements.note.value }));
        toast(t("file.saved"), "ok");
      } catch (err) { showFieldError(err, { scope: form, slots: true, mark: "invalid" }); }
    });
  }
  onLocale(() => last && render(last));
  load();
})();

(function surveysPage() {
  const body = $("surveys");
  if (!body) return;
  async function record(s, result, score, comment) {
    try {
      await api("POST", `/api/guests/stays/${s.stay_id}/survey`, { result, score, comment: comment || null });
      toast(t("file.saved"), "ok");
      load();
    } catch (err) { toast(errorText(err), "error"); }
  }
  function row(s) {
    const score = el("select", {}, ...[5, 4, 3, 2, 1].map((n) => el("option", { value: n }, `${n}`)));
    const comment = el("input", { maxlength: 1000, size: 24, placeholder: t("file.comment") });
    return el("tr", {},
      el("td", {}, el("a", { href: "/guests/" + s.guest_id }, s.name)), el("td", { class: "mono" }, s.mobile || "—"),
      el("td", {}, t("file.grade." + s.grade)), el("td", {}, fmtStamp(s.departure)),
      el("td", {}, score, " ", comment, " ",
        el("button", { class: "btn btn-small", type: "button", onclick: () => record(s, "answered", Number(score.value), comment.value) }, t("file.save")),
        el("button", { class: "btn btn-small", type: "button", onclick: () => record(s, "no_answer", null) }, t("file.result.no_answer")),
        el("button", { class: "btn btn-small", type: "button", onclick: () => record(s, "declined", null) }, t("file.result.declined"))));
  }
  async function load() {
    try {
      const list = await api("GET", "/api/guests/surveys");
      body.replaceChildren(...list.map(row));
      $("surveys-empty").hidden = list.length > 0;
    } catch (err) { toast(errorText(err), "error"); }
  }
  onLocale(load);
  load();
})();
