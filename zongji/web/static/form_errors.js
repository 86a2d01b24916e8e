/* A refused form (an API 4xx naming a field): the server's message shown next to the field and
   the cursor put on the bad field. The one way every form of the console does it. */

import { errorText, localMessage } from "./api.js";
import { toast } from "./dom.js";

/** The field a refusal names: its ``field``, else the first of its ``fields``; null for none. */
export function errorField(err) {
  const body = (err && err.body) || {};
  return body.field || (body.fields && body.fields[0] && body.fields[0].field) || null;
}

/** An input for a field by a map of element ids (``{wake_at: "wk-time"}``), by the field's
    last part (``details.room`` → ``room``). */
export function byId(ids) {
  return (field) => document.getElementById(ids[String(field).split(".").pop()] || "");
}

/** Clear the messages in ``scope``'s slots and the inputs marked invalid. */
export function clearFieldErrors(scope) {
  scope.querySelectorAll(".field-error").forEach((n) => { n.textContent = ""; });
  scope.querySelectorAll(".invalid").forEach((n) => n.classList.remove("invalid"));
}

/** Show refusal ``err`` on a form.
 *
 *  - ``scope``: the form; a field's input is the one named after the field (or its first or last
 *    part: ``hours.mon`` → ``hours``, ``targets.dispatch`` → ``dispatch``), its label names it.
 *  - ``input(field)``: the field's input where it is found otherwise (e.g. ``byId({...})``).
 *  - ``slots``: the form has a ``.field-error[data-for=…]`` slot per field: every field the answer
 *    names gets its message in its slot (else the ``fallback`` field's, else the first).
 *  - ``box``: else the element that shows the message (shown); with neither, a toast.
 *  - ``text(field)``: the message for ``box`` or the toast (default: the error as a person reads it).
 *  - ``mark``: "invalid" (class) or "aria" (aria-invalid) on the bad input; ``select``: its text
 *    selected; ``focus: false`` leaves the cursor where it is.
 */
export function showFieldError(err, options) {
  const o = options || {};
  const scope = o.scope || null;
  const find = (field) => {
    if (!field) return null;
    const name = String(field), head = name.split(/[.[]/)[0], leaf = name.split(".").pop();
    const own = o.input && o.input(name);
    if (own) return own;
    if (!scope) return null;
    return scope.querySelector(`[name="${CSS.escape(name)}"]`) || scope.querySelector(`[name="${CSS.escape(head)}"]`)
      || scope.querySelector(`[name="${CSS.escape(leaf)}"]`);
  };
  const point = (input) => {
    if (!input) return;
    if (o.mark === "invalid") input.classList.add("invalid");
    else if (o.mark === "aria") input.setAttribute("aria-invalid", "true");
    if (o.focus !== false) input.focus();
    if (o.select && input.select) input.select();
  };
  if (o.slots && scope) {
    const body = (err && err.body) || {};
    const fields = body.fields && body.fields.length ? body.fields
      : [{ field: body.field || o.fallback, message: body.message || errorText(err) }];
    for (const f of fields) {
      const name = String(f.field || o.fallback || "");
      const head = name.split(/[.[]/)[0], leaf = name.split(".").pop();
      const slotFor = (n) => (n ? scope.querySelector(`.field-error[data-for="${CSS.escape(n)}"]`) : null);
      const exact = slotFor(name) || slotFor(leaf);
      const slot = exact || slotFor(head) || slotFor(o.fallback) || scope.querySelector(".field-error");
      const prefix = !exact && name && name !== head ? name + ": " : "";
      if (slot) slot.textContent = (slot.textContent ? slot.textContent + "; " : "") + prefix + localMessage(f.message, err && err.status);
      point(find(name));
    }
    return;
  }
  const field = errorField(err);
  const text = o.text ? o.text(field) : errorText(err, scope);
  if (o.box) { o.box.textContent = text; o.box.hidden = false; } else toast(text, "error");
  point(find(field));
}
