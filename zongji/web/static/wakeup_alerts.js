/* Wake-up alerts on every console page (R-H9): an escalated wake-up or a failed pre-flight test
   call shows a red bar until acknowledged (click or Esc). On the console, Alt+W books a wake-up
   for the room of the caller on the card (/wakeups?room=…). */
(function () {
  "use strict";
  if (typeof ZJ === "undefined" || !ZJ.cfg.user || ZJ.cfg.user.role === "unit_handler") return;
  const { t, el } = ZJ;
  let bar = null;
  function show(p) {
    if (!bar) {
      bar = el("div", { class: "wk-alert-bar", role: "alert", id: "wk-alert-bar", onclick: () => { bar.remove(); bar = null; },
        style: "position:fixed;bottom:12px;left:12px;z-index:50;background:#b42318;color:#fff;padding:8px 14px;border-radius:6px;font-weight:600;box-shadow:0 2px 8px rgba(0,0,0,.25);cursor:pointer;max-width:70vw" });
      document.body.append(bar);
    }
    const text = p.kind === "wakeup_preflight_failed" ? t("wk.alert.preflight")
      : t(p.reason === "telephony_down" ? "wk.alert.telephony" : "wk.alert.escalated", { room: p.room || "" });
    bar.dataset.room = p.room || "";
    bar.replaceChildren(el("span", null, text + " "), el("a", { href: "/wakeups", style: "color:#fff" }, t("wk.alert.open")));
  }
  function connect() {
    const sock = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/live");
    sock.onmessage = (ev) => {
      let msg; try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.topic === "alert" && msg.payload && ["wakeup_escalated", "wakeup_preflight_failed"].includes(msg.payload.kind)) show(msg.payload);
      if (msg.topic === "alert" && msg.payload && msg.payload.kind === "wakeup_resolved" && bar && bar.dataset.room === String(msg.payload.room)) { bar.remove(); bar = null; }
    };
    sock.onclose = (ev) => { if (ev.code !== 4401) setTimeout(connect, 3000); };
  }
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && bar) { bar.remove(); bar = null; }
    if (e.altKey && e.code === "KeyW" && !document.body.classList.contains("page-wakeups")) {
      e.preventDefault();
      const card = document.querySelector("[data-room]");
      location.href = "/wakeups" + (card && card.dataset.room ? "?room=" + encodeURIComponent(card.dataset.room) : "");
    }
  });
  document.addEventListener("DOMContentLoaded", connect);
})();
