/* Console add-on (issue 3): sending a message by SMS / e-mail / pager, and staff leave.
   - Message form: "send by" choices with the directory's address for each channel (masked for
     guests, as the API serves it); a typed address overrides it.
   - Waiting messages: a "send by…" action and each send's state (sending / sent / failed,
     retrying), refreshed live on the "message" topic by switchboard.js.
   - Directory results: "on leave" (Alt+V on the highlighted person: from–to, deputy chosen by
     search, note) and the marker "休假至… · 代理人…" on people who are on leave; live on "leave".
   Data: /api/switchboard/recipient-channels, /api/switchboard/messages/{id}/channels|send,
   /api/switchboard/leaves, /api/directory/search. */

import { api, errorText } from "./api.js";
import { $, el, toast } from "./dom.js";
import { has, locale, onLocale, t } from "./i18n.js";
import { fmtDateTime, tzOffset } from "./local_time.js";
import * as callConsole from "./console.js";
import { closeModal, openModal } from "./switchboard_modal.js";
import { showFieldError } from "./form_errors.js";

const CHANNELS = ["sms", "email", "pager"];
function hm(iso) { return iso ? fmtDateTime(iso).replace(/:\d\d$/, "") : ""; }
function localInput(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
function aware(v) { return v ? v + ":00" + tzOffset(new Date(v)) : null; }

// ------------------------------------------------------------------ message form: send by
function sendChoices(recipient) {
  const box = el("fieldset", { class: "sb-send", id: "m-send" },
    el("legend", null, t("sb.send_by")), el("div", { class: "muted small", id: "m-send-loading" }, "…"));
  api("GET", "/api/switchboard/recipient-channels?recipient_kind=" + encodeURIComponent(recipient.kind) +
    "&recipient_id=" + encodeURIComponent(recipient.id)).then((r) => {
    const off = r.unavailable || {};
    const rows = CHANNELS.filter((ch) => ch in r.channels).map((ch) => {
      const addr = r.channels[ch];
      // A channel this site cannot use is shown with the reason, never offered (issue 8).
      const why = off[ch] ? t("sb.ch_" + off[ch], { ch: t("sb.ch." + ch) }) : null;
      return el("div", { class: "sb-send-row" + (why ? " unavailable" : ""), dataset: { channel: ch } },
        el("label", { class: "check" }, el("input", { type: "checkbox", id: "m-send-" + ch, "data-channel": ch, disabled: !!why }), " ", t("sb.ch." + ch)),
        why ? null : el("input", { type: "text", id: "m-to-" + ch, autocomplete: "off", class: "sb-send-addr",
          placeholder: addr || t("sb.send_type_address"), "aria-label": t("sb.send_address", { ch: t("sb.ch." + ch) }) }),
        el("span", { class: "muted small sb-send-dir" + (why ? "" : " mono"), id: "m-dir-" + ch }, why || (addr ? t("sb.send_directory", { a: addr }) : t("sb.send_no_address"))));
    });
    box.replaceChildren(el("legend", null, t("sb.send_by")), ...rows);
    rows.forEach((row) => {
      const cb = row.querySelector("input[type=checkbox]"), inp = row.querySelector(".sb-send-addr");
      if (inp) inp.addEventListener("input", () => { if (inp.value.trim()) cb.checked = true; });
    });
  }).catch((e) => { box.replaceChildren(el("legend", null, t("sb.send_by")), el("div", { class: "sb-error" }, errorText(e))); });
  return box;
}
function applySend(payload) {
  const chosen = [], to = {};
  CHANNELS.forEach((ch) => {
    const cb = $("m-send-" + ch);
    if (!cb || !cb.checked) return;
    chosen.push(ch);
    const a = ($("m-to-" + ch).value || "").trim();
    if (a) to[ch] = a;
  });
  if (!chosen.length) return;
  payload.deliver_by = (payload.deliver_by || []).concat(chosen);
  if (Object.keys(to).length) payload.send_to = to;
}

// ------------------------------------------------------------------ waiting messages: send states + "send by…"
function sendState(s) {
  if (s.state === "sent") return { cls: "o-answered", key: "sb.send_sent" };
  if (s.state === "failed") return { cls: "o-missed", key: "sb.send_failed" };
  if (s.state === "cancelled") return { cls: "", key: "sb.send_cancelled" };
  if (s.attempts > 0 && s.error) return { cls: "o-missed", key: "sb.send_retrying" };
  return { cls: "o-ringing", key: "sb.send_pending" };
}
function sendStates(m) {
  if (!m.sends || !m.sends.length) return null;
  return el("div", { class: "sb-sends small" }, m.sends.map((s) => {
    const st = sendState(s);
    return el("span", { class: "sb-send-state", "data-channel": s.channel, "data-state": s.state,
      title: (s.address || "") + (s.error ? " — " + s.error : "") },
      t("sb.ch." + s.channel), " ", el("span", { class: "badge " + st.cls }, t(st.key, { n: s.attempts })),
      s.state === "sent" && s.sent_at ? el("span", { class: "muted" }, " " + hm(s.sent_at).slice(-5)) : null);
  }));
}
/** The "send by…" action of waiting message ``m``; ``sent()`` after a send is queued (reloads the list). */
function sendButton(m, sent) {
  return el("button", { type: "button", class: "btn btn-sm sb-send-btn", onclick: () => sendDialog(m, sent) }, t("sb.send_action"));
}
async function sendDialog(m, sent) {
  let chs, off;
  try {
    const r = await api("GET", "/api/switchboard/messages/" + m.id + "/channels");
    chs = r.channels; off = r.unavailable || {};
  } catch (e) { toast(errorText(e), "error"); return; }
  const avail = CHANNELS.filter((ch) => ch in chs && !off[ch]);
  const why = CHANNELS.filter((ch) => ch in chs && off[ch]).map((ch) => t("sb.ch_" + off[ch], { ch: t("sb.ch." + ch) }));
  if (!avail.length) { toast(why.join(locale === "en" ? "; " : "；") || t("sb.send_none"), "error"); return; }
  const first = avail.find((ch) => chs[ch]) || avail[0];
  const form = el("form", { class: "sb-form", id: "sb-send-form" },
    el("div", { class: "sb-target" }, el("span", { class: "kind-tag" }, t("sb.message_for")), el("b", null, m.recipient.label)),
    el("div", { class: "small sb-msg-content" }, m.caller_name, " ", m.caller_number, ":", m.content),
    el("fieldset", { class: "sb-send" }, el("legend", null, t("sb.send_by")),
      avail.map((ch, i) => el("div", { class: "sb-send-row" },
        el("label", { class: "check" }, el("input", { type: "radio", name: "s-channel", value: ch, id: "s-ch-" + ch, checked: ch === first }),
          " ", t("sb.ch." + ch), " ", el("kbd", null, String(i + 1))),
        el("span", { class: "muted small mono sb-send-dir" }, chs[ch] ? t("sb.send_directory", { a: chs[ch] }) : t("sb.send_no_address")))),
      why.map((w) => el("div", { class: "muted small sb-send-off" }, w))),
    el("label", { class: "field" }, el("span", null, t("sb.send_other_address")),
      el("input", { id: "s-address", autocomplete: "off", placeholder: t("sb.send_type_address") })),
    el("div", { class: "sb-error", id: "s-error", hidden: true }),
    el("div", { class: "sb-actions" }, el("button", { type: "submit", class: "btn btn-primary", id: "s-send" }, t("sb.send_now"), " ", el("kbd", null, "Ctrl+Enter"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const picked = form.querySelector("input[name=s-channel]:checked");
    const body = { channel: picked ? picked.value : first, address: $("s-address").value.trim() || null };
    try {
      await api("POST", "/api/switchboard/messages/" + m.id + "/send", body);
      toast(t("sb.send_queued", { ch: t("sb.ch." + body.channel) }), "ok");
      closeModal();
      sent();
    } catch (err) {
      showFieldError(err, { box: $("s-error"), text: (f) => (f && has("sb.err." + f) ? t("sb.err." + f) : errorText(err)),
        input: (f) => (f === "address" ? $("s-address") : null) });
    }
  });
  openModal(t("sb.send_title"), form, (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { form.requestSubmit(); return true; }
    const typing = e.target && e.target.tagName === "INPUT" && e.target.type === "text";
    if (!typing && /^[1-3]$/.test(e.key) && avail[+e.key - 1]) { $("s-ch-" + avail[+e.key - 1]).checked = true; return true; }
    return false;
  });
  const r = form.querySelector("input[name=s-channel]:checked");
  (r || $("s-address")).focus();
}

// ------------------------------------------------------------------ staff leave
let leaves = new Map(); // person id → leave (current, earliest ending first)
async function loadLeaves() {
  try {
    const r = await api("GET", "/api/switchboard/leaves");
    const m = new Map();
    r.items.forEach((l) => { if (!m.has(l.person.id)) m.set(l.person.id, l); });
    leaves = m;
    markLeaves();
  } catch (e) { /* shown on next push */ }
}
function leaveText(l) {
  const started = Date.parse(l.starts_at) <= Date.now();
  const base = started ? t("sb.leave_until", { t: hm(l.ends_at) }) : t("sb.leave_from_to", { a: hm(l.starts_at), b: hm(l.ends_at) });
  return base + (l.deputy ? " · " + t("sb.leave_deputy", { name: l.deputy.name }) : " · " + t("sb.leave_no_deputy"));
}
function markLeaves() {
  const c = callConsole;
  const results = c.searchResults || [];
  document.querySelectorAll("#dir-results .dir-item").forEach((li) => {
    const old = li.querySelector(".sb-leave-mark");
    const r = results[+li.dataset.i];
    const l = r && r.kind === "person" ? leaves.get(r.id) : null;
    if (!l) { if (old) old.remove(); return; }
    const mark = el("div", { class: "sb-leave-mark", title: l.note || "" }, leaveText(l));
    if (old) old.replaceWith(mark);
    else { const body = li.querySelector(".dir-body"); if (body) body.insertBefore(mark, body.children[1] || null); }
  });
}

function leaveForm(r) {
  if (!r || r.kind !== "person") { toast(t("sb.leave_pick"), "error"); return; }
  const cur = leaves.get(r.id);
  let deputy = null, found = [], hit = -1, ctl = null, timer = null;
  const now = new Date();
  const list = el("ul", { class: "sb-deputy-list", id: "l-deputy-list", role: "listbox" });
  const chosen = el("div", { class: "small", id: "l-deputy-chosen" }, t("sb.leave_no_deputy"));
  const drawList = () => {
    list.replaceChildren(...found.map((p, i) => el("li", { class: "sb-deputy" + (i === hit ? " hit" : ""), onclick: () => pick(i) },
      el("b", null, p.name), " ", el("span", { class: "muted" }, [p.department, p.title].filter(Boolean).join(" ")),
      p.extension ? el("span", { class: "mono muted" }, " " + p.extension) : null)));
  };
  const pick = (i) => {
    deputy = found[i];
    chosen.replaceChildren(t("sb.leave_deputy_is"), " ", el("b", null, deputy.name), " ",
      el("span", { class: "muted" }, [deputy.department, deputy.title].filter(Boolean).join(" ")));
    found = []; hit = -1; drawList();
    $("l-deputy").value = deputy.name;
    $("l-note").focus();
  };
  const search = async () => {
    const q = $("l-deputy").value.trim();
    if (ctl) ctl.abort();
    if (!q) { found = []; drawList(); return; }
    ctl = new AbortController();
    try {
      const res = await fetch("/api/directory/search?limit=8&q=" + encodeURIComponent(q), { signal: ctl.signal, credentials: "same-origin" });
      if (!res.ok) return;
      const data = await res.json();
      found = (data.results || data.items || []).filter((p) => p.kind === "person" && p.id !== r.id);
      hit = found.length ? 0 : -1;
      drawList();
    } catch (e) { /* aborted */ }
  };
  const deputyInput = el("input", { id: "l-deputy", autocomplete: "off", placeholder: t("sb.leave_deputy_search") });
  deputyInput.addEventListener("input", () => { deputy = null; chosen.textContent = t("sb.leave_no_deputy"); clearTimeout(timer); timer = setTimeout(search, 150); });
  // Arrows and Enter in the deputy field pick from the list (the dialog's key handler owns the keyboard).
  const deputyKeys = (e) => {
    if (e.target !== deputyInput || e.ctrlKey || e.metaKey) return false;
    if (e.key === "ArrowDown" && found.length) { hit = Math.min(found.length - 1, hit + 1); drawList(); return true; }
    if (e.key === "ArrowUp" && found.length) { hit = Math.max(0, hit - 1); drawList(); return true; }
    if (e.key === "Enter") { if (hit >= 0 && found[hit]) pick(hit); return true; }
    return false;
  };
  const form = el("form", { class: "sb-form", id: "sb-leave-form" },
    el("div", { class: "sb-target" }, el("span", { class: "kind-tag k-person" }, t("kind.person")), el("b", null, r.name),
      r.title ? el("span", { class: "muted" }, " " + r.title) : null),
    cur ? el("div", { class: "sb-leave-current" }, el("span", { class: "sb-leave-mark" }, leaveText(cur)), " ",
      el("button", { type: "button", class: "btn btn-sm", id: "l-cancel", onclick: () => cancelLeave(cur, r) }, t("sb.leave_cancel"))) : null,
    el("div", { class: "sb-grid2" },
      el("label", { class: "field" }, el("span", null, t("sb.leave_from")), el("input", { id: "l-from", type: "datetime-local", value: localInput(now) })),
      el("label", { class: "field" }, el("span", null, t("sb.leave_to"), " *"), el("input", { id: "l-to", type: "datetime-local" }))),
    el("label", { class: "field" }, el("span", null, t("sb.leave_deputy_label")), deputyInput),
    list, chosen,
    el("label", { class: "field" }, el("span", null, t("sb.leave_note")), el("input", { id: "l-note", autocomplete: "off", maxlength: 500 })),
    el("div", { class: "sb-error", id: "l-error", hidden: true }),
    el("div", { class: "sb-actions" }, el("button", { type: "submit", class: "btn btn-primary", id: "l-save" }, t("sb.leave_save"), " ", el("kbd", null, "Ctrl+Enter"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { person_id: r.id, starts_at: aware($("l-from").value), ends_at: aware($("l-to").value),
      deputy_id: deputy ? deputy.id : null, note: $("l-note").value.trim() || null };
    const b = $("l-error");
    if (!body.ends_at) { b.textContent = t("sb.err.ends_at"); b.hidden = false; $("l-to").focus(); return; }
    try {
      await api("POST", "/api/switchboard/leaves", body);
      toast(t("sb.leave_done", { name: r.name }), "ok");
      closeModal();
      loadLeaves();
    } catch (err) {
      showFieldError(err, { box: b, text: (f) => (f && has("sb.err." + f) ? t("sb.err." + f) + " — " : "") + errorText(err),
        input: (f) => $({ starts_at: "l-from", ends_at: "l-to", deputy_id: "l-deputy", note: "l-note" }[f] || "") });
    }
  });
  openModal(t("sb.leave_title"), form, (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { form.requestSubmit(); return true; }
    return deputyKeys(e);
  });
  $("l-to").focus();
}
async function cancelLeave(l, r) {
  try {
    await api("POST", "/api/switchboard/leaves/" + l.id + "/cancel", {});
    toast(t("sb.leave_cancelled", { name: r.name }), "ok");
    closeModal();
    loadLeaves();
  } catch (e) { toast(errorText(e), "error"); }
}
function leaveButton(r) {
  return el("button", { type: "button", class: "btn btn-sm", onclick: (e) => { e.stopPropagation(); leaveForm(r); } }, t("sb.leave"), " ", el("kbd", null, "Alt+V"));
}

function leaveKey(e) {
  const m = $("sb-modal");
  if (!m || !m.hidden) return;
  if (e.altKey && !e.ctrlKey && e.code === "KeyV") {
    const c = callConsole;
    const i = c.searchHit;
    const r = i !== undefined && i >= 0 ? (c.searchResults || [])[i] : null;
    e.preventDefault();
    leaveForm(r);
  }
}
document.addEventListener("DOMContentLoaded", () => {
  // Registered here, after switchboard.js's own (which imports this module, so runs after it):
  // the dialog's keys come first.
  document.addEventListener("keydown", leaveKey, true);
  if (!$("dir-results") || !$("sb-modal")) return;
  loadLeaves();
  onLocale(() => markLeaves());
  setInterval(markLeaves, 60000);
});

export { applySend, leaveButton, leaveForm, loadLeaves, markLeaves, sendButton, sendChoices, sendStates };
