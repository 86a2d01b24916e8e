/* The page's elements: find one by id (``$``), build one (``el``), say something (``toast``). */

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A new element: attributes (class, text, on…, dataset, the rest as attributes) and children. */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c.nodeType ? c : String(c));
  return e;
}

/** A short note in the corner; an error stays longer and is announced. */
export function toast(message, kind) {
  const box = document.getElementById("toasts");
  if (!box) return;
  const node = el("div", { class: "toast " + (kind || "info"), role: kind === "error" ? "alert" : "status" }, message);
  box.append(node);
  setTimeout(() => node.classList.add("out"), kind === "error" ? 6000 : 3000);
  setTimeout(() => node.remove(), kind === "error" ? 6500 : 3500);
}

/** Calls ``enhance`` on every element matching ``selector`` once the page is loaded, and on every
    one the pages' scripts add later (dialogs, forms drawn from the API). */
export function forEvery(selector, enhance) {
  const all = (root) => root.querySelectorAll(selector).forEach(enhance);
  document.addEventListener("DOMContentLoaded", () => {
    all(document);
    new MutationObserver((records) => {
      for (const r of records) {
        r.addedNodes.forEach((n) => {
          if (n.nodeType !== 1) return;
          if (n.matches(selector)) enhance(n);
          else all(n);
        });
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
}
