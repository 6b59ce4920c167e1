// External Lines in a host web app (the Space).
//
//   import { mountDialogBlock, mountLinesField, mountChat } from "https://LINES/embed/lines.js";
//   const block = mountDialogBlock(element, { token, entity: "lead", id: 42 });
//   block.addEventListener("open-dialog", (e) => mountChat(other, { token, dialog: e.detail.dialog }));
//   block.addEventListener("unauthorized", async () => block.update({ token: await newToken() }));
//   block.unmount();
//
// `token` is an embed session the host's backend asked for with its API key
// (POST /api/embed/sessions). Each component lives in a frame of the External Lines
// server inside a shadow root: the host's styles do not reach it, its own do not
// leak out, and neither side can read the other's cookies or storage. The frame talks
// to the host only by postMessage, to the host's origin. Colours and the font follow
// the custom properties --el-accent, --el-bg, --el-panel, --el-text, --el-muted,
// --el-line, --el-radius and --el-font set on the element (or inherited by it).

const server = new URL(import.meta.url).origin;
// The components' pages, beside this module (under the server's base path, if it has one).
const frames = new URL("frame/", import.meta.url).href;
const THEME = ["accent", "bg", "panel", "text", "muted", "line", "radius", "font"];
const EVENTS = ["open-dialog", "open-record", "dialog-closed", "unauthorized"];
const HEIGHTS = { block: 320, field: 96, chat: 640 };
const TITLES = { block: "Dialogs", field: "External lines", chat: "Chat" };
const ENTITIES = ["lead", "contact", "company"];

function viewPath(kind, settings) {
  if (kind === "chat") {
    const dialog = Number(settings.dialog);
    if (!Number.isSafeInteger(dialog) || dialog <= 0) throw new TypeError("External Lines: `dialog` must be a dialog id.");
    return `chat/${dialog}`;
  }
  const id = Number(settings.id);
  if (!ENTITIES.includes(settings.entity)) {
    throw new TypeError(`External Lines: \`entity\` must be one of ${ENTITIES.join(", ")}.`);
  }
  if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError("External Lines: `id` must be a record id.");
  return `${kind}/${settings.entity}/${id}`;
}

function themeOf(element) {
  const style = getComputedStyle(element);
  const theme = {};
  for (const name of THEME) {
    const value = style.getPropertyValue(`--el-${name}`).trim();
    if (value) theme[name] = value;
  }
  return theme;
}

/** An embedded component: an EventTarget with `update(settings)` and `unmount()`. */
class Embedded extends EventTarget {
  #kind;
  #settings;
  #element;
  #holder;
  #frame;
  #path;
  #listener;

  constructor(kind, element, settings) {
    super();
    if (!(element instanceof Element)) throw new TypeError("External Lines: mount into an element.");
    if (!settings || typeof settings.token !== "string" || !settings.token) {
      throw new TypeError("External Lines: `token` must be an embed session's token.");
    }
    this.#kind = kind;
    this.#settings = { ...settings };
    this.#element = element;
    this.#path = viewPath(kind, this.#settings);
    this.#holder = document.createElement("div");
    const root = this.#holder.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = ":host{all:initial;display:block}iframe{all:initial;display:block;width:100%;border:0}";
    this.#frame = document.createElement("iframe");
    this.#frame.title = settings.title || TITLES[kind];
    this.#frame.style.height = `${settings.height || HEIGHTS[kind]}px`;
    this.#frame.setAttribute("allow", "clipboard-write");
    this.#frame.src = `${frames}${this.#path}`;
    root.append(style, this.#frame);
    this.#listener = (event) => this.#heard(event);
    window.addEventListener("message", this.#listener);
    element.append(this.#holder);
  }

  #post(message) {
    this.#frame.contentWindow?.postMessage({ el: message.el, ...message }, server);
  }

  #heard(event) {
    if (event.source !== this.#frame.contentWindow || event.origin !== server) return;
    const data = event.data || {};
    if (data.el === "ready") {
      this.#post({ el: "token", token: this.#settings.token, theme: themeOf(this.#element) });
    } else if (data.el === "height" && !this.#settings.height) {
      const px = Math.max(48, Math.min(Number(data.px) || 0, 4000));
      this.#frame.style.height = `${px}px`;
    } else if (data.el === "event" && EVENTS.includes(data.name)) {
      const detail = data.detail ?? {};
      this.dispatchEvent(new CustomEvent(data.name, { detail }));
      this.#element.dispatchEvent(new CustomEvent(`el-${data.name}`, { detail, bubbles: true, composed: true }));
    }
  }

  /** Changes the token (after "unauthorized", say), the record or dialog, or the height. */
  update(settings = {}) {
    const next = { ...this.#settings, ...settings };
    const path = viewPath(this.#kind, next);
    this.#settings = next;
    if (settings.height) this.#frame.style.height = `${settings.height}px`;
    if (path !== this.#path) {
      this.#path = path;
      this.#frame.src = `${frames}${path}`;
    } else if (settings.token) {
      this.#post({ el: "token", token: next.token, theme: themeOf(this.#element) });
    }
  }

  /** Removes the component from the page. */
  unmount() {
    window.removeEventListener("message", this.#listener);
    this.#holder.remove();
  }
}

/** The dialog block of a CRM card: `{ token, entity: "lead" | "contact" | "company", id }`. */
export function mountDialogBlock(element, settings) {
  return new Embedded("block", element, settings);
}

/** The External lines field of a CRM card: `{ token, entity, id }`. */
export function mountLinesField(element, settings) {
  return new Embedded("field", element, settings);
}

/** The chat window of a dialog, with Join, Reply and the composer: `{ token, dialog }`. */
export function mountChat(element, settings) {
  return new Embedded("chat", element, settings);
}
