// Push notifications on this device (the /me/notifications page): subscribe
// this browser with the organisation's VAPID key and tell Plaza, or undo it.
// The page's choice of kinds is a plain form and works without this file.
(function () {
  "use strict";

  var box = document.querySelector("[data-push]");
  if (!box) return;
  var onBtn = box.querySelector("[data-push-on]");
  var offBtn = box.querySelector("[data-push-off]");
  var status = box.querySelector("[data-push-status]");

  function say(text) { status.textContent = text; }

  function show(subscribed) {
    onBtn.hidden = subscribed;
    offBtn.hidden = !subscribed;
    onBtn.disabled = offBtn.disabled = false;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("This browser can't receive push notifications. On iPhone and iPad, add Plaza to your Home Screen first.");
    return;
  }
  if (Notification.permission === "denied") {
    say("Notifications are blocked for this site: allow them in your browser's site settings, then reload this page.");
    return;
  }

  // The key as the Push API wants it: bytes, from base64url.
  function keyBytes(b64) {
    var s = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(s);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      if (!res.ok) throw new Error("Plaza answered " + res.status);
    });
  }

  function sameKey(sub, key) {
    var k = sub.options && sub.options.applicationServerKey;
    if (!k) return true; // can't tell: keep it
    var a = new Uint8Array(k);
    if (a.length !== key.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== key[i]) return false;
    return true;
  }

  var key = keyBytes(box.getAttribute("data-key"));

  navigator.serviceWorker.ready.then(function (reg) {
    return reg.pushManager.getSubscription().then(function (sub) {
      if (sub && !sameKey(sub, key)) {
        // Made for another key: useless now, so start again.
        return sub.unsubscribe().then(function () { show(false); });
      }
      if (sub && Notification.permission === "granted") {
        // Plaza may have dropped it (expired, or signed in as someone else): resend.
        return post("/me/push", sub.toJSON()).then(function () {
          say("Notifications are on for this device.");
          show(true);
        });
      }
      show(false);
    });
  }).catch(function (err) {
    say("Couldn't check this device's notifications: " + err.message);
    show(false);
  });

  onBtn.addEventListener("click", function () {
    onBtn.disabled = true;
    Notification.requestPermission().then(function (perm) {
      if (perm !== "granted") {
        say("Notifications weren't allowed, so they stay off.");
        show(false);
        return;
      }
      return navigator.serviceWorker.ready.then(function (reg) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      }).then(function (sub) {
        return post("/me/push", sub.toJSON());
      }).then(function () {
        say("Notifications are on for this device.");
        show(true);
      });
    }).catch(function (err) {
      say("Couldn't turn notifications on: " + err.message);
      show(false);
    });
  });

  offBtn.addEventListener("click", function () {
    offBtn.disabled = true;
    navigator.serviceWorker.ready.then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (sub) {
      if (!sub) return;
      return post("/me/push/delete", { endpoint: sub.endpoint }).then(function () {
        return sub.unsubscribe();
      });
    }).then(function () {
      say("Notifications are off for this device.");
      show(false);
    }).catch(function (err) {
      say("Couldn't turn notifications off: " + err.message);
      show(true);
    });
  });
})();
