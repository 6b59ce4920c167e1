// External Lines website chat: put it on any page with
//   <script src="https://YOUR-SERVER/widget/loader.js" data-channel="CHANNEL-KEY" async></script>
// Optional: data-open="true" opens it at once; data-theme="light" or "dark" sets its colours
// (by default it follows the page's color-scheme, then the visitor's system); data-lang="en"
// or "uk" sets its language (by default the visitor's browser languages choose).
// It adds a chat button; the chat itself runs in an iframe served by the External Lines
// server, so it neither sees nor changes the host page. On a phone it fills the screen.
(function () {
  var script = document.currentScript;
  if (!script || window.__externalLinesWidget) return;
  window.__externalLinesWidget = true;
  var origin = new URL(script.src).origin;
  // The chat's page, beside this script (under the server's base path, if it has one).
  var app = new URL("app/", script.src).href;
  var channel = script.getAttribute("data-channel") || "";
  var open = script.getAttribute("data-open") === "true";
  var theme = script.getAttribute("data-theme") || pageTheme();
  var lang = (script.getAttribute("data-lang") || "").toLowerCase();
  // The button's own words; the chat in the frame has the rest.
  var words = {
    en: { chat: "Chat with us", open: "Open chat", close: "Close chat" },
    uk: { chat: "Напишіть нам", open: "Відкрити чат", close: "Закрити чат" }
  };
  var said = words[lang] || (navigator.languages || [navigator.language || ""]).map(function (l) {
    return words[l.slice(0, 2).toLowerCase()];
  }).filter(Boolean)[0] || words.en;

  // The host page's own scheme: its color-scheme meta or style, when it names one.
  function pageTheme() {
    var meta = document.querySelector('meta[name="color-scheme"]');
    var scheme = (meta && meta.content) || getComputedStyle(document.documentElement).colorScheme || "";
    scheme = scheme.trim();
    return scheme === "dark" || scheme === "only dark" ? "dark" : scheme === "light" || scheme === "only light" ? "light" : "";
  }

  var frame = document.createElement("iframe");
  frame.src = app + "?channel=" + encodeURIComponent(channel) +
    (theme === "light" || theme === "dark" ? "&theme=" + theme : "") +
    (words[lang] ? "&lang=" + lang : "");
  frame.title = said.chat;
  frame.setAttribute("data-external-lines", "frame");
  frame.style.cssText = "position:fixed;right:20px;bottom:92px;width:370px;height:560px;" +
    "max-width:calc(100vw - 40px);max-height:calc(100vh - 120px);border:0;border-radius:16px;" +
    "box-shadow:0 12px 40px rgba(15,23,42,.25);z-index:2147483646;background:#fff;display:none";

  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", said.open);
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("data-external-lines", "button");
  button.innerHTML = '<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true"><path fill="#fff" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  button.style.cssText = "position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;" +
    "border:0;background:#2563eb;cursor:pointer;box-shadow:0 6px 20px rgba(37,99,235,.45);" +
    "z-index:2147483647;display:flex;align-items:center;justify-content:center";

  // A phone: the open chat fills the screen (its header has the close button).
  var phone = window.matchMedia("(max-width: 480px)");
  var floating = frame.style.cssText;
  function place() {
    var shown = frame.style.display !== "none";
    frame.style.cssText = phone.matches
      ? "position:fixed;inset:0;width:100%;height:100%;border:0;border-radius:0;z-index:2147483646;background:#fff"
      : floating;
    frame.style.display = shown ? "block" : "none";
    button.style.display = shown && phone.matches ? "none" : "flex";
  }
  function toggle(show) {
    var was = frame.style.display !== "none";
    frame.style.display = show ? "block" : "none";
    button.setAttribute("aria-expanded", String(show));
    button.setAttribute("aria-label", show ? said.close : said.open);
    place();
    if (was && !show) button.focus();
  }
  if (phone.addEventListener) phone.addEventListener("change", place);
  button.addEventListener("click", function () { toggle(frame.style.display === "none"); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") toggle(false); });
  // The chat's own close button, from our frame only.
  window.addEventListener("message", function (e) {
    if (e.origin === origin && e.source === frame.contentWindow && e.data === "external-lines:close") toggle(false);
  });

  function mount() {
    document.body.appendChild(frame);
    document.body.appendChild(button);
    toggle(open);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
