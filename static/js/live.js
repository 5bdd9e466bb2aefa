// Live updates for signed-in pages: one EventSource per tab (GET /events).
// Rooms get new, edited and recalled messages in place; the chat list and
// the Chats badge follow. Pages work without this file (forms and reloads).
(function () {
  "use strict";
  var body = document.body;
  var me = body.dataset.me;
  if (!me || !window.EventSource || !window.fetch) return;

  var room = document.querySelector("[data-testid=room-page]");
  var roomID = room ? room.dataset.room : "";
  var list = room ? room.querySelector("ol.messages") : null;
  var rooms = document.querySelector("[data-live-list=rooms]");
  var muted = {};

  // ---- local times ----------------------------------------------------
  function localTimes(root) {
    root.querySelectorAll("time[data-local-time]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (isNaN(d)) return;
      var hm = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      if (t.dataset.localTime === "short" && d.toDateString() !== new Date().toDateString()) {
        hm = d.toLocaleDateString([], { month: "short", day: "numeric" });
      }
      t.textContent = hm;
    });
  }
  localTimes(document);

  // ---- badges ---------------------------------------------------------
  var chatsBadge = document.querySelector("[data-badge=chats]");
  var shown = chatsBadge && chatsBadge.querySelector("[aria-hidden]");
  var unreadTotal = shown ? parseInt(shown.textContent, 10) || 0 : 0;
  function setChatsBadge(n) {
    unreadTotal = Math.max(0, n);
    if (!chatsBadge) return;
    chatsBadge.innerHTML = "";
    if (unreadTotal === 0) return;
    var b = document.createElement("span");
    b.className = "badge";
    b.dataset.testid = "badge";
    var num = document.createElement("span");
    num.setAttribute("aria-hidden", "true");
    num.textContent = unreadTotal > 99 ? "99+" : String(unreadTotal);
    var words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = unreadTotal + (unreadTotal === 1 ? " unread message" : " unread messages");
    b.append(num, words);
    chatsBadge.append(b);
  }

  // ---- the chat list: refetch its rows (they are per-reader) -----------
  var refreshTimer = 0;
  function refreshRooms() {
    if (!rooms) return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      fetch("/chats", { headers: { "X-Plaza-Fragment": "rooms" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          rooms.innerHTML = html;
          localTimes(rooms);
          // The first chat (often the organisation's channel) replaces the empty state.
          var empty = rooms.children.length && document.querySelector("[data-testid=empty]");
          if (empty) empty.remove();
          rooms.hidden = !rooms.children.length;
        })
        .catch(function () {});
    }, 150);
  }

  // ---- messages in the open room ----------------------------------------
  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
  }
  function parse(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }
  function markOwn(el) {
    if (!el.dataset || el.dataset.author !== me) return;
    el.classList.add("msg--own");
    var own = el.querySelector(".msg__own-actions");
    if (own) own.hidden = false;
  }
  function place(html) {
    var frag = parse(html);
    var item = frag.querySelector("li.msg");
    if (!item || !list) return null;
    markOwn(item);
    localTimes(item);
    var old = document.getElementById(item.id);
    if (old) { old.replaceWith(item); return item; }
    var seq = parseInt(item.dataset.seq, 10);
    var after = null;
    var items = list.querySelectorAll("li.msg");
    for (var i = items.length - 1; i >= 0; i--) {
      if (parseInt(items[i].dataset.seq, 10) < seq) { after = items[i]; break; }
    }
    if (after) after.after(item);
    else if (items.length && parseInt(items[0].dataset.seq, 10) > seq) items[0].before(item);
    else list.append(item);
    return item;
  }
  var readTimer = 0, readSeq = 0;
  function markRead(seq) {
    readSeq = Math.max(readSeq, seq);
    clearTimeout(readTimer);
    readTimer = setTimeout(function () {
      var f = new FormData();
      f.set("seq", String(readSeq));
      fetch("/chats/" + roomID + "/read", { method: "POST", body: f, credentials: "same-origin" }).catch(function () {});
    }, 300);
  }

  function onMessage(d) {
    if (roomID && d.room === roomID) {
      var stick = nearBottom() || d.author === me;
      var fresh = !document.getElementById("m-" + d.id);
      place(d.html);
      if (stick) window.scrollTo(0, document.body.scrollHeight);
      if (fresh && d.author !== me) {
        if (document.visibilityState === "visible") markRead(d.seq);
        else pendingRead = Math.max(pendingRead, d.seq);
      }
      return;
    }
    if (d.author !== me && !muted[d.room] && document.getElementById("m-" + d.id) === null) {
      setChatsBadge(unreadTotal + 1);
    }
    refreshRooms();
  }
  var pendingRead = 0;
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && pendingRead) { markRead(pendingRead); pendingRead = 0; }
  });

  // ---- the stream ----------------------------------------------------------
  var url = "/events";
  var pos = body.dataset.live;
  if (pos && pos !== "0" && pos !== "-1") url += "?last=" + encodeURIComponent(pos);
  var es = new EventSource(url);
  es.addEventListener("message", function (e) {
    try { onMessage(JSON.parse(e.data)); } catch (err) { /* a bad event never breaks the page */ }
  });
  es.addEventListener("unread", function (e) {
    try {
      var d = JSON.parse(e.data);
      muted = {};
      (d.muted || []).forEach(function (id) { muted[id] = true; });
      setChatsBadge(d.total - (roomID && d.rooms[roomID] && !muted[roomID] ? d.rooms[roomID] : 0));
      refreshRooms();
    } catch (err) { /* ignore */ }
  });
  es.addEventListener("reload", function () { es.close(); location.reload(); });
  // A like, comment or reply for me: light the Moments tab.
  es.addEventListener("notice", function (e) {
    var d = {};
    try { d = JSON.parse(e.data); } catch (err) { /* ignore */ }
    var card = d.post && document.getElementById("p-" + d.post);
    if (card) {
      fetch("/moments/" + d.post, { headers: { "X-Plaza-Fragment": "card" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var t = document.createElement("template");
          t.innerHTML = html;
          var fresh = t.content.querySelector("article.moment");
          if (fresh) { localTimes(fresh); card.replaceWith(fresh); }
        })
        .catch(function () {});
    }
    var slot = document.querySelector("[data-badge=moments]");
    if (!slot || slot.querySelector(".badge")) return;
    var dot = document.createElement("span");
    dot.className = "badge badge--dot";
    dot.dataset.testid = "moments-dot";
    var words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = "New likes and comments";
    dot.append(words);
    slot.append(dot);
  });
  // A passing note with a link, styled like the page's flash messages.
  function toast(text, href) {
    var el = document.createElement("a");
    el.className = "flash flash--ok";
    el.setAttribute("role", "status");
    el.dataset.testid = "toast";
    el.href = href;
    el.textContent = text;
    document.body.append(el);
    setTimeout(function () { el.classList.add("flash--gone"); }, 6000);
    setTimeout(function () { el.remove(); }, 7000);
  }

  // An order changed (paid, sent, refunded…): refresh its card where shown,
  // and its status in an orders list.
  es.addEventListener("order", function (e) {
    var d = {};
    try { d = JSON.parse(e.data); } catch (err) { return; }
    var card = d.order && document.querySelector('[data-order="' + d.order + '"]');
    var row = d.order && document.querySelector('a[href="/orders/' + d.order + '"]');
    if (!card && d.text) toast(d.text, "/orders/" + d.order);
    if (!card && !row) return;
    fetch("/orders/" + d.order, { headers: { "X-Plaza-Fragment": "order" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var t = document.createElement("template");
        t.innerHTML = html;
        var fresh = t.content.querySelector("[data-order]");
        if (!fresh) return;
        localTimes(fresh);
        if (card) card.replaceWith(fresh);
        var pill = row && row.querySelector(".status-pill");
        var freshPill = fresh.querySelector("[data-testid=order-status]");
        if (pill && freshPill) { pill.className = freshPill.className; pill.textContent = freshPill.textContent; }
        if (row) row.dataset.orderStatus = d.status;
        document.querySelectorAll("[data-testid=checkout-done], [data-testid=checkout-back]").forEach(function (n) {
          if (d.status !== "pending") n.remove();
        });
      })
      .catch(function () {});
  });
  // Something new for me (a notification or a friend request): the Me badge.
  es.addEventListener("notify", function (e) {
    var d = {};
    try { d = JSON.parse(e.data); } catch (err) { return; }
    var slot = document.querySelector("[data-badge=me]");
    if (!slot || typeof d.count !== "number") return;
    slot.innerHTML = "";
    if (d.count <= 0) return;
    var b = document.createElement("span");
    b.className = "badge";
    b.dataset.testid = "badge";
    var num = document.createElement("span");
    num.setAttribute("aria-hidden", "true");
    num.textContent = d.count > 99 ? "99+" : String(d.count);
    var words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = d.count + (d.count === 1 ? " thing waiting for you" : " things waiting for you");
    b.append(num, words);
    slot.append(b);
  });
  // A mini-program's note for me.
  es.addEventListener("note", function (e) {
    try {
      var d = JSON.parse(e.data);
      if (d.text) toast(d.text, d.href || "/minis");
    } catch (err) { /* ignore */ }
  });
  window.addEventListener("pagehide", function () { es.close(); });

  if (!room) return;
  window.scrollTo(0, document.body.scrollHeight);

  // ---- sending without a reload ------------------------------------------
  var form = room.querySelector("form.composer");
  if (form) {
    var input = form.querySelector("textarea");
    var files = form.querySelector("input[type=file]");
    var note = form.querySelector("[data-files]");
    var grow = function () {
      input.style.height = "auto";
      input.style.height = Math.min(input.scrollHeight + input.offsetHeight - input.clientHeight, 160) + "px";
    };
    input.addEventListener("input", grow);
    if (window.matchMedia("(pointer: fine)").matches) {
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
      });
    }
    files.addEventListener("change", function () {
      var names = Array.prototype.map.call(files.files, function (f) { return f.name; });
      note.textContent = names.length ? "Attached: " + names.join(", ") : "";
      note.hidden = names.length === 0;
    });
    var showError = function (msg) {
      var box = form.querySelector(".form-errors");
      if (!box) {
        box = document.createElement("div");
        box.className = "form-errors";
        box.setAttribute("role", "alert");
        box.dataset.testid = "form-errors";
        form.prepend(box);
      }
      box.textContent = msg;
    };
    form.addEventListener("submit", function (e) {
      if (files.files.length) return; // uploads go the plain way (multipart + redirect)
      e.preventDefault();
      var btn = form.querySelector("button[type=submit]");
      var data = new FormData(form);
      fetch(form.action, { method: "POST", body: data, headers: { "X-Plaza-Fetch": "1", "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) {
          // Plaza answers JSON, errors included; anything else came from
          // something in between (a proxy), and its status is the reason.
          return r.json().then(function (j) { return { ok: r.ok, j: j }; }, function () {
            return { ok: false, j: { error: "The message was not sent (the server answered " + r.status + "). Try again." } };
          });
        })
        .then(function (res) {
          if (!res.ok) { showError(res.j.error || "The message was not sent. Try again."); return; }
          provisional(res.j, data.get("body") || "");
          if (res.j.note) toast(res.j.note, location.pathname);
          window.scrollTo(0, document.body.scrollHeight);
          input.value = "";
          grow();
          form.querySelector("input[name=client_id]").value = newClientID();
          var reply = form.querySelector("[data-testid=replying]");
          if (reply) { reply.remove(); form.querySelector("input[name=reply_to]").remove(); }
          var box = form.querySelector(".form-errors");
          if (box) box.remove();
          input.focus();
        })
        .catch(function () {
          // Same client id on retry: the server stores the message once.
          showError("Not sent: check your connection, then press Send again.");
        })
        .finally(function () { if (btn) btn.removeAttribute("aria-busy"); });
    });
  }
  // provisional shows a just-sent message until the stream's rendered copy
  // (with markdown and mentions) replaces it by id.
  function provisional(sent, text) {
    if (!list || document.getElementById("m-" + sent.id)) return;
    var li = document.createElement("li");
    li.className = "msg msg--own msg--pending";
    li.id = "m-" + sent.id;
    li.dataset.seq = String(sent.seq);
    li.dataset.author = me;
    li.dataset.testid = "message";
    var main = document.createElement("div");
    main.className = "msg__main";
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    var p = document.createElement("p");
    p.textContent = text;
    bubble.append(p);
    main.append(bubble);
    li.append(main);
    list.append(li);
  }
  function newClientID() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(36).slice(2);
  }

  // ---- older history in place ------------------------------------------------
  var older = room.querySelector("[data-older]");
  if (older) {
    older.addEventListener("click", function (e) {
      e.preventDefault();
      var h = document.body.scrollHeight;
      fetch(older.href, { headers: { "X-Plaza-Fragment": "older" }, credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw r.status;
          var next = r.headers.get("X-Plaza-Older");
          return r.text().then(function (html) { return { html: html, next: next }; });
        })
        .then(function (res) {
          var frag = parse(res.html);
          frag.querySelectorAll("li.msg").forEach(function (li) { markOwn(li); });
          localTimes(frag);
          list.prepend(frag);
          window.scrollTo(0, document.body.scrollHeight - h);
          if (res.next) older.href = res.next; else older.remove();
        })
        .catch(function () { location.href = older.href; });
    });
  }
})();
