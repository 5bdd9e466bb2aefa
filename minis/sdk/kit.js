// Plaza's kit for mini-programs (documented in minis/README.md): the small
// DOM and page helpers the built-in minis share, free for any mini to use.
// Load it after plaza.js and before your own script:
//
//   <script src="/m/sdk/plaza.js"></script>
//   <script src="/m/sdk/kit.js"></script>
//
// It expects <main id="main"> for the views and <p id="toast"> for toasts,
// styled by plaza.css, and defines window.plazaKit. No dependencies.
(function () {
  "use strict";

  var main = document.getElementById("main");
  var toastEl = document.getElementById("toast");

  // What configure() sets: the mini's name (in error texts), how long
  // toasts stay, per-code error words, and a hook run on every view change.
  var opts = { name: "This mini", toastMs: 3500, errorToastMs: 7000, errors: {}, onView: null };

  function configure(o) {
    Object.keys(o || {}).forEach(function (k) { opts[k] = o[k]; });
  }

  /* ---------- building elements ---------- */

  // h("button", {class: "btn", onclick: fn}, "Label") builds an element.
  // Attributes: on* functions become listeners, class sets className, text
  // sets textContent, true is an empty attribute, null/undefined/false are
  // left out. Children are nodes, text (always a text node, never parsed as
  // HTML) or arrays of them.
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k.slice(0, 2) === "on" && typeof v === "function") el.addEventListener(k.slice(2), v);
        else if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (v === true) el.setAttribute(k, "");
        else el.setAttribute(k, String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  // append(el, child, ...) adds children as h does.
  function append(el) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { append(el, x); });
      else el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    }
  }

  // Line icons on a 24×24 grid; addIcons({name: '<path d="…"/>'}) adds your own.
  var ICONS = {
    back: '<path d="M15 5l-7 7 7 7"/>',
    plus: '<path d="M12 5v14M5 12h14"/>',
    share: '<path d="M4 12v7a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-7"/><path d="M12 3v12M7 8l5-5 5 5"/>',
    chev: '<path d="M9 5l7 7-7 7"/>',
    check: '<path d="M5 12.5l4.5 4.5L19 7.5"/>',
    x: '<path d="M6 6l12 12M18 6L6 18"/>',
    close: '<path d="M6 6l12 12M18 6L6 18"/>'
  };
  function addIcons(more) {
    Object.keys(more).forEach(function (k) { ICONS[k] = more[k]; });
  }
  // icon("plus", 20) is an <svg> drawn in the current text colour, hidden
  // from screen readers (the button's text says what it does).
  function icon(name, size) {
    var wrap = document.createElement("span");
    wrap.innerHTML = '<svg viewBox="0 0 24 24" width="' + (size || 20) + '" height="' + (size || 20) +
      '" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">' +
      (ICONS[name] || "") + "</svg>";
    return wrap.firstChild;
  }

  /* ---------- feedback ---------- */

  var toastTimer = 0;
  // toast("Saved.") shows a short message; toast(msg, true) an error, longer.
  function toast(msg, isError) {
    clearTimeout(toastTimer);
    toastEl.textContent = msg;
    toastEl.classList.toggle("toast--error", !!isError);
    toastEl.classList.remove("toast--gone");
    toastTimer = setTimeout(function () { toastEl.classList.add("toast--gone"); }, isError ? opts.errorToastMs : opts.toastMs);
  }

  // busy(btn, true) disables a button and marks it busy while work runs.
  function busy(btn, on) {
    if (!btn) return;
    if (on) { btn.setAttribute("aria-busy", "true"); btn.disabled = true; }
    else { btn.removeAttribute("aria-busy"); btn.disabled = false; }
  }

  // errText(err, ctx) is friendly words for an SDK error's code. The words
  // are, first: ctx[code] (ctx.denied and ctx.notFound stand for
  // consent_denied and not_found); then configure({errors: {code: text}});
  // then the kit's own.
  function errText(e, ctx) {
    ctx = ctx || {};
    var code = e && e.code;
    var here = code === "consent_denied" ? ctx.denied : code === "not_found" ? ctx.notFound : ctx[code];
    if (here) return here;
    if (code && opts.errors[code]) return opts.errors[code];
    var name = opts.name;
    switch (code) {
      case "consent_denied": return "You said no, so " + name + " can't do that. You can change your answer under Me → Mini-programs.";
      case "permission_not_declared": return name + " isn't allowed to do that in this version of Plaza.";
      case "too_large": return "That's too long to save. Shorten it and try again.";
      case "quota_exceeded": return "Your " + name + " storage is full.";
      case "not_found": return "That doesn't exist any more.";
      case "forbidden": return "Only the person who created this can change it.";
      case "conflict": return "That's already done.";
      case "rate_limited": return "Lots going on right now. Wait a few seconds and try again.";
      case "unavailable": return "That isn't available right now. Try again later.";
      case "timeout": return "Plaza didn't answer in time. Check your connection and try again.";
      case "bad_request": return "Plaza couldn't accept that" + (e.message ? ": " + e.message : ".");
      default: return "Something went wrong. Try again.";
    }
  }

  /* ---------- text ---------- */

  // newId(n) is n (default 12) random characters from a 32-letter alphabet
  // (5 bits each, no modulo bias), fit for storage keys.
  function newId(n) {
    var abc = "abcdefghijkmnpqrstuvwxyz23456789";
    var b = new Uint8Array(n || 12);
    crypto.getRandomValues(b);
    var s = "";
    for (var i = 0; i < b.length; i++) s += abc[b[i] & 31];
    return s;
  }
  // clip(s, n) shortens to n characters (code points, as Plaza counts them), ending in "…".
  function clip(s, n) {
    var a = Array.from(String(s));
    return a.length > n ? a.slice(0, Math.max(0, n - 1)).join("").trimEnd() + "…" : a.join("");
  }
  // runes(s) is the length in code points, as Plaza counts limits.
  function runes(s) { return Array.from(String(s)).length; }

  /* ---------- views ---------- */

  var viewToken = 0;
  // setView(nodes) replaces what #main shows, scrolls up and moves focus to
  // the new <h1> (unless focusHeading is false). It returns the view's
  // token: async work started for a view checks current(token) before
  // drawing, so a late answer never draws over the next view.
  function setView(nodes, focusHeading) {
    viewToken++;
    if (opts.onView) opts.onView();
    main.textContent = "";
    main.removeAttribute("aria-busy");
    append(main, nodes);
    window.scrollTo(0, 0);
    if (focusHeading !== false) {
      var h1 = main.querySelector("h1");
      if (h1) { h1.setAttribute("tabindex", "-1"); h1.focus({ preventScroll: true }); }
    }
    return viewToken;
  }
  // token() is the view now shown; current(t) says whether t still is.
  function token() { return viewToken; }
  function current(t) { return t === viewToken; }

  // loading() shows "Loading…" (busy) and returns the new view's token.
  function loading() {
    var t = setView(h("p", { class: "loading", role: "status" }, "Loading…"), false);
    main.setAttribute("aria-busy", "true");
    return t;
  }

  // backButton("Polls", home) is the ghost "‹ Polls" button calling home();
  // backBar(label, to) is the same button in the page's head row.
  function backButton(label, to) {
    return h("button", { type: "button", class: "btn btn--ghost btn--small back", onclick: function () { to(); } },
      icon("back"), label);
  }
  function backBar(label, to) { return h("div", { class: "head" }, backButton(label, to)); }

  // loadFailed(err, retry, {back, title, denied}) is the page for something
  // that couldn't be loaded: back (a node, e.g. backBar(…)), the title, the
  // error's words (denied: what a "no" to storage stops) and "Try again".
  function loadFailed(e, retry, o) {
    o = o || {};
    return setView([o.back, h("h1", null, o.title || "Couldn't open it"),
      h("div", { class: "notice notice--error", role: "alert" },
        h("p", null, errText(e, { denied: o.denied })),
        h("button", { type: "button", class: "btn btn--small", onclick: function () { retry(); } }, "Try again"))]);
  }

  /* ---------- start ---------- */

  // launchParams("#poll=abc&x=1") is {poll: "abc", x: "1"}: plaza.launch.path
  // (what a card was shared with) or a location hash, with or without "#".
  function launchParams(raw) {
    var p = String(raw || "").replace(/^[#/?]+/, "");
    try { p = decodeURIComponent(p); } catch (e) { /* keep it as it is */ }
    var out = {};
    p.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
    });
    return out;
  }

  // start(route, outside) calls route(params) with the launch parameters
  // now and on every hash change. Opened outside Plaza (no window.plaza) it
  // shows the mini's name and the outside text instead.
  function start(route, outside) {
    if (!window.plaza) {
      setView([h("h1", null, opts.name), h("div", { class: "notice notice--error" }, h("p", null, outside))]);
      return;
    }
    route(launchParams((window.plaza.launch && window.plaza.launch.path) || location.hash));
    window.addEventListener("hashchange", function () { route(launchParams(location.hash)); });
  }

  window.plazaKit = Object.freeze({
    configure: configure,
    h: h, append: append, icon: icon, addIcons: addIcons,
    toast: toast, busy: busy, errText: errText,
    newId: newId, clip: clip, runes: runes,
    setView: setView, token: token, current: current, loading: loading,
    backButton: backButton, backBar: backBar, loadFailed: loadFailed,
    launchParams: launchParams, start: start,
    main: main
  });
})();
