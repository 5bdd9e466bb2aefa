// Plaza's small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Flash toasts leave after a few seconds.
  document.querySelectorAll(".flash").forEach(function (el) {
    setTimeout(function () {
      el.classList.add("flash--gone");
      el.addEventListener("transitionend", function () { el.remove(); }, { once: true });
    }, 4000);
  });

  // Put keyboard and screen-reader focus on a form's error summary.
  var summary = document.querySelector(".form-errors");
  if (summary) summary.focus();

  // Ask before destructive forms (data-confirm); without JS they just submit.
  document.addEventListener("submit", function (ev) {
    var q = (ev.submitter && ev.submitter.getAttribute("data-confirm")) ||
      (ev.target.getAttribute && ev.target.getAttribute("data-confirm"));
    if (q && !window.confirm(q)) { ev.preventDefault(); ev.stopImmediatePropagation(); }
  }, true);

  // Show progress on the button that submitted a form, and stop double posts.
  document.addEventListener("submit", function (ev) {
    if (ev.defaultPrevented || ev.target.method === "dialog") return; // sheets close, they don't post
    var btn = ev.submitter || ev.target.querySelector("button[type=submit]");
    if (!btn) return;
    if (btn.getAttribute("aria-busy") === "true") { ev.preventDefault(); return; }
    btn.setAttribute("aria-busy", "true");
    // A page restored from the back/forward cache must be usable again.
    window.addEventListener("pageshow", function () { btn.removeAttribute("aria-busy"); }, { once: true });
    // A download (data-download) leaves the page as it is: the button comes back.
    if (ev.target.hasAttribute("data-download")) setTimeout(function () { btn.removeAttribute("aria-busy"); }, 3000);
  });

  // Preview a chosen avatar before saving.
  var avatarInput = document.getElementById("f-avatar");
  if (avatarInput) {
    avatarInput.addEventListener("change", function () {
      var file = avatarInput.files && avatarInput.files[0];
      var holder = avatarInput.closest(".avatar-edit");
      if (!file || !holder || !/^image\//.test(file.type)) return;
      var old = holder.querySelector(".avatar");
      var img = document.createElement("img");
      img.className = "avatar avatar--lg";
      img.alt = "Preview of your new photo";
      img.src = URL.createObjectURL(file);
      if (old) old.replaceWith(img); else holder.prepend(img);
    });
  }

  // Installable app: the service worker keeps the shell for offline use.
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function (err) {
        console.warn("Plaza works without offline support here:", err);
      });
    });
  }
})();
