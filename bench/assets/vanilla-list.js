// The hand-written comparison for the browser benchmark: the Unassigned tab of the
// inbox as a keyed, virtualized list in plain DOM code, fed by the same API snapshot and
// the same socket frames as the app, doing the same DOM work per frame (fixed 80 px rows,
// 8 rows of overscan beyond the view once the first rows are painted, name, unread badge,
// time, channel, preview and Reply per row).
(async () => {
  const ROW = 80, OVERSCAN = 8;
  let overscan = 0; // OVERSCAN once the first rows are painted
  const bench = (window.__bench = { frames: 0, paintMs: null });
  document.documentElement.innerHTML =
    '<head><style>body{margin:0;font:14px system-ui}#list{height:100vh;overflow:auto;width:360px}' +
    'li{display:flex;height:80px;box-sizing:border-box;border-bottom:1px solid #eee;padding:8px}' +
    '.badge{background:#2563eb;color:#fff;border-radius:9px;padding:0 6px}</style></head>' +
    '<body><div id="list"><ul style="margin:0;padding:0;list-style:none"></ul></div></body>';
  const scroller = document.getElementById("list");
  const ul = scroller.firstChild;
  const dialogs = new Map(); // id -> summary
  const unread = new Map(); // id -> count
  let order = []; // ids, newest activity first
  const rows = new Map(); // id -> { li, fields }
  const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const newer = (a, b) => b.last_activity_at - a.last_activity_at || b.id - a.id;

  function upsert(d, count) {
    const shown = d.state === "unassigned" && !d.spam;
    const had = dialogs.has(d.id);
    if (had) order.splice(order.indexOf(d.id), 1);
    if (!shown) {
      dialogs.delete(d.id);
      return;
    }
    dialogs.set(d.id, d);
    if (count !== undefined) unread.set(d.id, count);
    let lo = 0, hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newer(dialogs.get(order[mid]), d) <= 0) lo = mid + 1; else hi = mid;
    }
    order.splice(lo, 0, d.id);
  }

  function row(id) {
    const li = document.createElement("li");
    li.innerHTML = '<button class="open"><span class="avatar"></span><span><span class="name"></span>' +
      '<span class="badge"></span><time></time><span class="channel"></span><span class="preview"></span>' +
      '</span></button><button class="reply">Reply</button>';
    const q = (s) => li.querySelector(s);
    const r = { li, name: q(".name"), badge: q(".badge"), time: q("time"), channel: q(".channel"),
      preview: q(".preview"), avatar: q(".avatar"), shown: {} };
    rows.set(id, r);
    return r;
  }

  function set(r, key, el, text) {
    if (r.shown[key] !== text) { el.textContent = text; r.shown[key] = text; }
  }

  function render() {
    const top = Math.max(0, scroller.scrollTop);
    const first = Math.min(Math.max(0, Math.floor(top / ROW) - overscan), order.length);
    const end = Math.ceil((top + Math.max(scroller.clientHeight, ROW)) / ROW) + overscan;
    const ids = order.slice(first, end);
    ul.style.paddingTop = first * ROW + "px";
    ul.style.paddingBottom = (order.length - first - ids.length) * ROW + "px";
    const keep = new Set(ids);
    for (const [id, r] of rows) if (!keep.has(id)) { r.li.remove(); rows.delete(id); }
    let before = ul.firstChild;
    for (const id of ids) {
      const d = dialogs.get(id);
      const r = rows.get(id) || row(id);
      set(r, "name", r.name, d.name);
      set(r, "avatar", r.avatar, (d.name[0] || "?").toUpperCase());
      const n = unread.get(id) || 0;
      set(r, "badge", r.badge, n > 0 ? String(n) : "");
      set(r, "time", r.time, time(d.last_activity_at));
      set(r, "channel", r.channel, d.channel_name);
      set(r, "preview", r.preview, d.last_message ? d.last_message.text : "");
      if (r.li !== before) ul.insertBefore(r.li, before); else before = before.nextSibling;
    }
  }

  let frame = 0;
  const schedule = () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); }); };
  scroller.addEventListener("scroll", schedule);

  // The app's first snapshot (bench/src/browser.rs puts in FIRST_PAGE of protocol/src/api.rs).
  const snapshot = await (await fetch("/api/dialogs?limit=__FIRST_PAGE__")).json();
  // Timed from the data's arrival, as the app is: the response's end.
  const data = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/dialogs"));
  const arrived = data ? data.responseEnd : performance.now();
  for (const page of snapshot.pages) {
    const counts = new Map(page.unread);
    for (const d of page.dialogs) upsert(d, counts.get(d.id));
  }
  render();
  requestAnimationFrame(() => setTimeout(() => { bench.paintMs = performance.now() - arrived; }, 0));
  requestIdleCallback(() => { overscan = OVERSCAN; schedule(); }, { timeout: 1000 });

  const socket = new WebSocket(`ws://${location.host}/api/socket?since=${snapshot.as_of}&compact=true`);
  socket.onmessage = (e) => {
    const f = JSON.parse(e.data);
    if (f.frame === "live") bench.live = true;
    if (f.frame !== "event" || !f.event.dialog) return;
    const { dialog, message } = f.event;
    if (message && !dialog.last_message && message.author && (message.author.kind === "client" || message.author.kind === "operator")) {
      dialog.last_message = { text: message.text, at: message.created_at };
    }
    if (f.event.type === "message_created") bench.frames++;
    upsert(dialog, f.unread);
    schedule();
  };
})();
