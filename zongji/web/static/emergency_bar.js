/* Emergencies on every console page (issue 14): a red bar while one runs (from
   GET /api/emergency/incidents?active=true, on load and on every live-feed (re)connection, and
   live on topic "emergency"), and Alt+X — free on every page — opens the start dialog: kind,
   exact place (room, floor, area), situation, reporter and number; the operator reads it back
   to the reporter, then confirms, and the plan starts. During a call on the console the caller's
   number and name fill the reporter's fields. */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins

export const KINDS = ["fire", "medical", "security", "lift_entrapment", "power_failure", "water_failure", "gas", "other"];

export function placeText(x) {
  return [x.area, x.floor ? t("em.floor") + " " + x.floor : "", x.room ? t("em.room") + " " + x.room : ""]
    .filter(Boolean).join(" · ");
}

let dialog = null;

function field(name, label, attrs) {
  return el("label", { class: "field" }, el("span", { text: t(label) }), el("input", { name, id: "em-f-" + name, ...(attrs || {}) }));
}

function buildDialog() {
  const kind = el("select", { name: "kind", id: "em-f-kind" }, KINDS.map((k) => el("option", { value: k, text: t("em.kind." + k) })));
  const readback = el("div", { class: "em-readback", id: "em-readback", hidden: true });
  const err = el("div", { class: "em-err", id: "em-err", role: "alert" });
  const form = el("form", { autocomplete: "off", "aria-labelledby": "em-dlg-h" },
    el("h2", { id: "em-dlg-h", text: t("em.start") }),
    el("label", { class: "field" }, el("span", { text: t("em.kind") }), kind),
    el("div", { class: "em-row" }, field("room", "em.room", { maxlength: 40 }), field("floor", "em.floor", { maxlength: 20 }),
      field("area", "em.area", { maxlength: 100 })),
    field("situation", "em.situation", { maxlength: 1000, required: true }),
    el("div", { class: "em-row" }, field("reporter", "em.reporter", { maxlength: 100, required: true }),
      field("reporter_number", "em.reporter_number", { maxlength: 40 })),
    readback, err,
    el("div", { class: "em-acts" },
      el("button", { type: "submit", class: "btn btn-danger", id: "em-f-submit", text: t("em.readback_btn") }),
      el("button", { type: "button", class: "btn btn-ghost", id: "em-f-cancel", text: t("em.cancel"), onclick: close })));
  const box = el("div", { class: "em-dialog", id: "em-dialog", role: "dialog", "aria-modal": "true", hidden: true }, form);
  form.addEventListener("input", () => { readback.hidden = true; $submit().textContent = t("em.readback_btn"); });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    if (readback.hidden) {  // first the read-back, then the start
      readback.replaceChildren(el("strong", { text: t("em.readback") + "：" }),
        el("div", { text: `${t("em.kind." + data.kind)} · ${placeText(data)} · ${data.situation}` }),
        el("div", { text: `${t("em.reporter")}: ${data.reporter} ${data.reporter_number || ""}` }));
      readback.hidden = false;
      $submit().textContent = t("em.confirm_start");
      $submit().focus();
      return;
    }
    try {
      const inc = await api("POST", "/api/emergency/incidents", { ...data, read_back: true });
      toast(t("em.started"), "ok");
      close();
      location.href = "/emergency?id=" + inc.id;
    } catch (ex) { err.textContent = errorText(ex, form); }
  });
  document.body.append(box);
  return box;
}
const $submit = () => document.getElementById("em-f-submit");

export function openStart() {
  if (!dialog) dialog = buildDialog();
  dialog.hidden = false;
  // During a call on the console: the caller is the reporter (their number and name as shown).
  const num = document.getElementById("card-number"), name = document.getElementById("card-name");
  const numIn = document.getElementById("em-f-reporter_number"), nameIn = document.getElementById("em-f-reporter");
  const digits = num ? (num.textContent.match(/[0-9+*#]{3,}/) || [""])[0] : "";
  if (digits && !numIn.value) numIn.value = digits;
  if (digits && name && name.textContent.trim() && !nameIn.value) nameIn.value = name.textContent.trim().slice(0, 100);
  document.getElementById("em-f-kind").focus();
}
function close() { if (dialog) { dialog.hidden = true; dialog.querySelector("form").reset(); dialog.querySelector("#em-readback").hidden = true; } }

(function () {
  if (!config.user || config.user.role === "unit_handler") return;
  let bar = null, active = [];
  function render() {
    if (!bar) {
      bar = el("div", { class: "em-bar", id: "em-bar", role: "alert", hidden: true });
      const top = document.querySelector("header.topbar");
      if (top) top.after(bar); else document.body.prepend(bar);
    }
    bar.hidden = !active.length;
    bar.replaceChildren(...active.map((x) => el("span", {},
      `${t("em.bar")}: ${t("em.kind." + x.kind)} · ${x.place || placeText(x)} · ${x.situation} `,
      el("a", { href: "/emergency?id=" + x.id, text: t("em.bar.open") }))));
  }
  async function load() {
    try { active = await freshRead(api("GET", "/api/emergency/incidents?active=true")); render(); } catch (e) { /* next (re)connection */ }
  }
  document.addEventListener("DOMContentLoaded", load);
  onOpen(load);
  subscribe("emergency", (msg) => {
    const inc = msg.payload && msg.payload.incident;
    if (!inc) return;
    active = active.filter((x) => x.id !== inc.id);
    if (inc.status === "started") active.push(inc);
    render();
  });
  onLocale(render);
  document.addEventListener("keydown", (e) => {
    if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyX") { e.preventDefault(); openStart(); }
    else if (e.key === "Escape" && dialog && !dialog.hidden) close();
  });
})();
