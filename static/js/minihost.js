// The host side of the mini-program bridge (DESIGN §6). The mini runs in a
// sandboxed iframe with an opaque origin; it can only postMessage us. We
// accept messages from that iframe's window alone, check each call's shape,
// limit how many arrive, and forward them to POST /minis/{slug}/bridge/…
// with the member's session. The server checks permissions and consent; the
// sheets for consent, payment and sharing are ours, never the mini's.
(function () {
  "use strict";

  var host = document.querySelector("[data-mini]");
  var frame = host && host.querySelector("iframe");
  if (!frame) return;
  var slug = host.dataset.mini;
  var name = host.dataset.name;

  var METHODS = {
    "getProfile": 1, "storage.get": 1, "storage.set": 1, "storage.remove": 1, "storage.keys": 1,
    "shared.get": 1, "shared.set": 1, "shared.incr": 1, "shared.list": 1, "shared.remove": 1,
    "shared.vote": 1, "shared.mine": 1,
    "requestPayment": 1, "share": 1, "notify": 1, "launchToken": 1
  };
  var LABELS = {
    profile: "see your name and photo",
    storage: "keep data for you",
    shared_storage: "keep data that everyone using it sees",
    payments: "ask you to pay (you confirm each payment)",
    share: "share cards to chats you choose",
    notify: "send you short notes"
  };
  var MAX_ARGS = 70000;     // characters of JSON
  var MAX_INFLIGHT = 16;    // calls waiting for an answer
  var BURST = 60, PER_SECOND = 20;
  var tokens = BURST, lastRefill = Date.now(), inflight = 0;

  frame.src = frame.dataset.src + (location.hash || "");

  function reply(id, result, error) {
    if (typeof id !== "number") return;
    var msg = { plaza: 1, id: id };
    if (error) msg.error = { code: error.code || "internal", message: error.message || "Something went wrong." };
    else msg.result = result === undefined ? null : result;
    // The frame's origin is opaque, so "*" is the only target; the message
    // goes to that one window and carries only the mini's own data.
    frame.contentWindow.postMessage(msg, "*");
  }

  function fail(code, message) { return { code: code, message: message }; }

  function allow() {
    var now = Date.now();
    tokens = Math.min(BURST, tokens + (now - lastRefill) / 1000 * PER_SECOND);
    lastRefill = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  window.addEventListener("message", function (ev) {
    if (ev.source !== frame.contentWindow) return; // only our mini
    var d = ev.data;
    var id = d && typeof d === "object" && typeof d.id === "number" && isFinite(d.id) ? d.id : null;
    if (id === null || d.plaza !== 1) return; // not a call: ignore silently
    if (typeof d.method !== "string" || !METHODS.hasOwnProperty(d.method)) {
      return reply(id, null, fail("not_found", "Unknown method."));
    }
    if (!Array.isArray(d.args)) return reply(id, null, fail("bad_request", "Arguments must be a list."));
    var body;
    try { body = JSON.stringify({ args: d.args }); } catch (e) { body = null; }
    if (body === null) return reply(id, null, fail("bad_request", "Arguments must be plain data (JSON)."));
    if (body.length > MAX_ARGS) return reply(id, null, fail("too_large", "The call's arguments are too large."));
    if (!allow() || inflight >= MAX_INFLIGHT) return reply(id, null, fail("rate_limited", "Too many calls: slow down."));
    inflight++;
    handle(d.method, d.args, body).then(
      function (result) { inflight--; reply(id, result); },
      function (err) { inflight--; reply(id, null, err && err.code ? err : fail("internal", "Something went wrong.")); }
    );
  });

  // bridge posts one call; a missing consent shows the sheet and retries once.
  function bridge(method, body, asked) {
    return fetch("/minis/" + slug + "/bridge/" + method, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Content-Type": "application/json", "X-Plaza-Fetch": "1" }
    }).then(function (r) {
      return r.json().catch(function () { return { error: fail("internal", "Plaza answered " + r.status + ".") }; });
    }, function () {
      throw fail("unavailable", "Plaza can't be reached: check the connection.");
    }).then(function (d) {
      if (!d.error) return d.result;
      if (d.error.code === "consent_required" && !asked) {
        return consent(d.error.permission).then(function () { return bridge(method, body, true); });
      }
      throw d.error;
    });
  }

  // ---- sheets -------------------------------------------------------------
  function sheet(id, fill) {
    var dlg = document.getElementById(id);
    Object.keys(fill || {}).forEach(function (k) {
      var el = dlg.querySelector('[data-fill="' + k + '"]');
      if (el) el.textContent = fill[k]; // text only: the mini wrote it
    });
    return new Promise(function (resolve) {
      dlg.addEventListener("close", function () { resolve(dlg.returnValue); }, { once: true });
      dlg.returnValue = "";
      dlg.showModal();
    });
  }

  var asking = null; // one consent sheet at a time
  function consent(perm) {
    if (!LABELS[perm]) return Promise.reject(fail("internal", "Unknown permission."));
    var ask = function () {
      return sheet("mini-consent", { what: LABELS[perm] }).then(function (answer) {
        if (answer !== "allow") throw fail("consent_denied", "The member didn't allow " + perm + ".");
        var f = new FormData();
        f.append("permission", perm);
        return fetch("/minis/" + slug + "/consent", { method: "POST", body: f, credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw fail("internal", "The permission could not be saved."); });
      });
    };
    asking = (asking || Promise.resolve()).then(ask, ask);
    return asking;
  }

  function handle(method, args, body) {
    if (method === "requestPayment") return pay(body);
    if (method === "share") return share(args[0]);
    return bridge(method, body);
  }

  // A payment: the server reads the mini's object (exactly as the mini
  // sent it) and prepares the payment it understood; the sheet shows only
  // that answer; the member's "pay" confirms that prepared payment by id,
  // and the order is made from it. What the member sees is what is charged.
  function pay(body) {
    return bridge("preparePayment", body).then(function (p) {
      return sheet("mini-pay", { amount: p.display, description: p.description, mini: p.mini, status: "" }).then(function (answer) {
        if (answer !== "pay") throw fail("consent_denied", "The member canceled the payment.");
        var win = window.open("about:blank", "_blank");
        return bridge("confirmPayment", JSON.stringify({ args: [p.id] })).then(function (res) {
          if (win) win.location.href = res.checkout_url;
          else location.assign(res.checkout_url);
          return waitForPayment(res.order);
        }, function (err) {
          if (win) win.close();
          throw err;
        });
      });
    });
  }

  function waitForPayment(order) {
    return new Promise(function (resolve, reject) {
      var tries = 0;
      (function poll() {
        bridge("paymentStatus", JSON.stringify({ args: [order] })).then(function (res) {
          if (res.status !== "pending") return resolve(res);
          if (++tries > 1350) return resolve(res); // 45 minutes: Checkout has expired by then
          setTimeout(poll, 2000);
        }, reject);
      })();
    });
  }

  function share(o) {
    if (!o || typeof o !== "object" || typeof o.title !== "string") {
      return Promise.reject(fail("bad_request", "share takes {title, path}."));
    }
    var path = typeof o.path === "string" ? o.path : "";
    // Permission first, so the picker only shows for a mini that may share.
    return bridge("share", JSON.stringify({ args: [{ room: "", title: o.title, path: path }] })).catch(function (err) {
      if (err.code !== "bad_request") throw err;
    }).then(function () {
      return sheet("mini-share", { title: o.title.slice(0, 80) });
    }).then(function (answer) {
      var picked = document.querySelector("#mini-share input[name=room]:checked");
      if (answer !== "share" || !picked) throw fail("consent_denied", "The member closed the chat picker.");
      return bridge("share", JSON.stringify({ args: [{ room: picked.value, title: o.title, path: path }] }));
    });
  }
})();
