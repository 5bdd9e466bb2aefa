// Plaza's mini-program SDK (documented in minis/README.md). It runs inside
// the sandboxed iframe and talks to the Plaza page around it with
// postMessage; that page checks every call and forwards it to the server.
(function () {
  "use strict";

  var pending = {};
  var nextId = 1;
  // How long a call may take: the member may be choosing or paying.
  var timeouts = { requestPayment: 45 * 60 * 1000, share: 10 * 60 * 1000 };
  var defaultTimeout = 2 * 60 * 1000;

  function fail(code, message) {
    var err = new Error(message);
    err.code = code;
    return err;
  }

  function call(method, args) {
    return new Promise(function (resolve, reject) {
      var id = nextId++;
      var timer = setTimeout(function () {
        delete pending[id];
        reject(fail("timeout", method + " took too long."));
      }, timeouts[method] || defaultTimeout);
      pending[id] = { resolve: resolve, reject: reject, timer: timer };
      try {
        window.parent.postMessage({ plaza: 1, id: id, method: method, args: args }, "*");
      } catch (e) {
        clearTimeout(timer);
        delete pending[id];
        reject(fail("bad_request", "Arguments must be plain data (JSON)."));
      }
    });
  }

  window.addEventListener("message", function (ev) {
    if (ev.source !== window.parent) return;
    var d = ev.data;
    if (!d || d.plaza !== 1 || typeof d.id !== "number" || !pending[d.id]) return;
    var p = pending[d.id];
    delete pending[d.id];
    clearTimeout(p.timer);
    if (d.error) p.reject(fail(d.error.code || "internal", d.error.message || "Something went wrong."));
    else p.resolve(d.result);
  });

  function args(list) { return Array.prototype.slice.call(list); }

  window.plaza = Object.freeze({
    getProfile: function () { return call("getProfile", []); },
    storage: Object.freeze({
      get: function (key) { return call("storage.get", [key]); },
      set: function (key, value) { return call("storage.set", [key, value]); },
      remove: function (key) { return call("storage.remove", [key]); },
      keys: function () { return call("storage.keys", []); }
    }),
    shared: Object.freeze({
      get: function (key) { return call("shared.get", [key]); },
      set: function (key, value) { return call("shared.set", [key, value]); },
      incr: function (key, by) { return call("shared.incr", by === undefined ? [key] : [key, by]); },
      vote: function (key, choice) { return call("shared.vote", [key, choice === undefined ? null : choice]); },
      mine: function (key) { return call("shared.mine", [key]); },
      list: function (prefix, after) {
        var a = [prefix === undefined ? "" : prefix];
        if (after !== undefined) a.push(after);
        return call("shared.list", a);
      },
      remove: function (key) { return call("shared.remove", [key]); }
    }),
    requestPayment: function (o) { return call("requestPayment", args([o])); },
    share: function (o) { return call("share", args([o])); },
    notify: function (text) { return call("notify", [text]); },
    launchToken: function () { return call("launchToken", []); },
    launch: Object.freeze({ path: location.hash || "" })
  });
})();
