/* File fields that speak the console's language, not the browser's.

   A native <input type="file"> draws its button and its "no file chosen" from the browser's own
   language: an English Chromium shows "Choose Files / No file chosen" in the Chinese console and
   on the citizens' form. Every file field gets a button and a line in the page's language (选择文件 ·
   未选择文件 · 已选 2 个文件); the native field stays in the form, keeps the keyboard focus (Tab,
   the pages' own keys, Enter or Space opens the picker) and is only drawn out of sight, so the
   pages' code, the uploads and the tests are unchanged. */

import { forEvery } from "./dom.js";
import { onLocale, t } from "./i18n.js";

const nativeValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
const fields = new Set();

function enhance(input) {
  if (input.dataset.zjFile) return;
  input.dataset.zjFile = "1";
  const box = document.createElement("span");
  box.className = "file-field";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn file-pick";
  button.tabIndex = -1;  // the native field keeps the focus: one stop per field for Tab
  const status = document.createElement("span");
  status.className = "file-status";
  input.classList.add("file-native");
  input.before(box);
  box.append(input, button, status);
  button.addEventListener("click", () => input.click());
  const show = () => {
    button.textContent = t(input.multiple ? "file.choose_many" : "file.choose");
    const files = input.files ? [...input.files] : [];
    status.textContent = files.length === 0 ? t("file.none")
      : files.length === 1 ? files[0].name : t("file.count", { n: files.length });
    status.title = files.map((f) => f.name).join("\n");
  };
  input.addEventListener("change", show);
  // A page that clears the field after an upload (value = "") sees the line cleared too.
  Object.defineProperty(input, "value", {
    configurable: true,
    get() { return nativeValue.get.call(this); },
    set(v) { nativeValue.set.call(this, v); show(); },
  });
  if (input.form) input.form.addEventListener("reset", () => setTimeout(show));
  fields.add(show);
  show();
}

forEvery('input[type="file"]', enhance);
onLocale(() => fields.forEach((show) => show()));
