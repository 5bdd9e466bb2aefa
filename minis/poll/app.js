/* Poll — a Plaza mini-program.
 *
 * Shared storage (every member sees it; Plaza enforces who writes what):
 *   poll:<id>        {v, q, options[], by, owner, at, closed}: a value, so only the
 *                    member who created it can change it (end the poll)
 *   poll:<id>:votes  a vote: each member has one choice (the option's index as
 *                    text), which they can change; it reads {"<index>": count}
 * Member storage (only this member):
 *   mypolls          [{id, q, at, role: "created" | "voted"}], newest first
 *
 * A card shared to a chat opens the mini at "#poll=<id>".
 */
(function () {
  "use strict";

  var sdk = window.plaza;

  var MAX_OPTIONS = 10;
  var MIN_OPTIONS = 2;
  var MAX_QUESTION = 200;
  var MAX_OPTION = 80;
  var MAX_REMEMBERED = 100;
  var REFRESH_MS = 4000;
  var ID_RE = /^[a-z0-9]{4,32}$/;
  var SHARE_TITLE_MAX = 80;   // Plaza refuses longer card titles

  /* ---------- shared kit (minis/sdk/kit.js) ---------- */

  var kit = window.plazaKit;
  var h = kit.h, append = kit.append, icon = kit.icon, toast = kit.toast, busy = kit.busy, errText = kit.errText;
  var newId = kit.newId, clip = kit.clip, runes = kit.runes, setView = kit.setView, loading = kit.loading;
  var current = kit.current, backBar = kit.backBar;

  var refreshTimer = 0;
  var refreshNow = null;  // the open poll's refresh, run again when the page shows

  kit.configure({
    name: "Poll",
    errorToastMs: 6000,
    errors: {
      too_large: "That's too long to save. Shorten the question or the options and try again.",
      not_found: "That poll doesn't exist any more.",
      forbidden: "Only the person who created this poll can change it.",
      conflict: "You've already voted in this poll."
    },
    // Leaving a poll stops its refresh.
    onView: function () { clearTimeout(refreshTimer); refreshNow = null; }
  });
  kit.addIcons({
    bars: '<path d="M5 7h12M5 12h8M5 17h5"/>',
    stop: '<rect x="6" y="6" width="12" height="12" rx="2"/>',
    poll: '<rect x="3" y="3" width="18" height="18" rx="4"/><path d="M7.5 8.5h9M7.5 12h6M7.5 15.5h3.5"/>'
  });

  var fmtNum = new Intl.NumberFormat();
  var fmtPct = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 });
  var fmtDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  var plural = new Intl.PluralRules("en");
  function votes(n) { return fmtNum.format(n) + (plural.select(n) === "one" ? " vote" : " votes"); }
  function day(ms) { try { return fmtDate.format(new Date(ms)); } catch (e) { return ""; } }


  /* ---------- SDK wrappers ---------- */

  var profilePromise = null;
  function me() {
    if (!profilePromise) {
      profilePromise = sdk.getProfile().catch(function (e) { profilePromise = null; throw e; });
    }
    return profilePromise;
  }

  var keys = {
    poll: function (id) { return "poll:" + id; },
    votes: function (id) { return "poll:" + id + ":votes"; }
  };

  // "My polls": remembered per member. Storage problems never block polls.
  async function loadMine() {
    try {
      var list = await sdk.storage.get("mypolls");
      return { list: Array.isArray(list) ? list.filter(function (p) { return p && ID_RE.test(p.id); }) : [] };
    } catch (e) {
      return { list: [], error: e };
    }
  }
  async function remember(entry) {
    try {
      var all = (await loadMine()).list;
      var before = all.find(function (p) { return p.id === entry.id; });
      if (before && before.role === "created") { entry.role = "created"; entry.at = before.at; }
      var cur = all.filter(function (p) { return p.id !== entry.id; });
      cur.unshift(entry);
      await sdk.storage.set("mypolls", cur.slice(0, MAX_REMEMBERED));
    } catch (e) { /* the poll still works; it just isn't listed */ }
  }

  function validPoll(p) {
    return p && typeof p === "object" && typeof p.q === "string" && Array.isArray(p.options) &&
      p.options.length >= MIN_OPTIONS && p.options.length <= MAX_OPTIONS;
  }

  /* ---------- views ---------- */

  /* Home: the member's polls */
  async function home() {
    loading();
    var token = kit.token();
    var mine = await loadMine();
    if (!current(token)) return;

    var nodes = [
      h("div", { class: "head" },
        h("h1", null, "Polls"),
        h("button", { type: "button", class: "btn btn--primary btn--small", onclick: function () { createView(); } },
          icon("plus"), "New poll"))
    ];
    if (mine.error) {
      nodes.push(h("div", { class: "notice notice--warn" },
        h("p", null, mine.error.code === "consent_denied"
          ? "Poll can't keep a list of your polls because you said no to storage. You can still create polls and vote; to get the list, allow storage under Me → Mini-programs."
          : "Your list of polls couldn't be loaded. " + errText(mine.error))));
    }
    if (!mine.list.length) {
      nodes.push(h("div", { class: "empty card" },
        icon("poll", 64),
        h("p", null, "No polls yet. Ask your group a question and share it to a chat."),
        h("button", { type: "button", class: "btn btn--primary", onclick: function () { createView(); } }, "Create a poll")));
    } else {
      nodes.push(h("h2", { class: "section-title" }, "Your polls"));
      nodes.push(h("ul", { class: "list" }, mine.list.map(function (p) {
        var sub = (p.role === "created" ? "Created " : "Voted ") + day(p.at);
        return h("li", null, h("button", {
          type: "button", class: "cell",
          onclick: function () { pollView(p.id); }
        },
          h("span", { class: "cell__icon" }, icon("bars")),
          h("span", { class: "cell__body" },
            h("span", { class: "cell__title" }, p.q || "Poll"),
            h("span", { class: "cell__sub" }, sub)),
          h("span", { class: "chev" }, icon("chev"))));
      })));
    }
    setView(nodes);
  }

  /* Create a poll */
  function createView() {
    var errorsBox = h("div", { class: "errors", id: "form-errors", tabindex: "-1", hidden: true });
    var q = h("textarea", {
      id: "q", class: "field__input", maxlength: MAX_QUESTION, rows: 2, required: true,
      "aria-describedby": "q-help q-error", placeholder: "Where shall we eat on Friday?"
    });
    var qError = h("p", { class: "field__error", id: "q-error", hidden: true });
    var optList = h("div", { class: "choices", id: "options" });
    var optError = h("p", { class: "field__error", id: "opt-error", hidden: true });
    var addBtn = h("button", { type: "button", class: "btn btn--ghost btn--small", onclick: function () {
      addOption("", true);
    } }, icon("plus"), "Add option");
    var submit = h("button", { type: "submit", class: "btn btn--primary btn--block" }, "Create poll");

    function renumber() {
      var rows = optList.querySelectorAll(".option-row");
      rows.forEach(function (row, i) {
        var input = row.querySelector("input");
        input.id = "opt-" + i;
        input.setAttribute("aria-label", "Option " + (i + 1));
        input.placeholder = "Option " + (i + 1);
        var rm = row.querySelector(".icon-btn");
        rm.setAttribute("aria-label", "Remove option " + (i + 1));
        rm.hidden = rows.length <= MIN_OPTIONS;
      });
      addBtn.hidden = rows.length >= MAX_OPTIONS;
    }
    function addOption(value, focus) {
      var input = h("input", { type: "text", class: "field__input", maxlength: MAX_OPTION, "aria-describedby": "opt-help opt-error" });
      input.value = value;
      // Enter in an option moves on (or adds the next option) instead of submitting.
      input.addEventListener("keydown", function (ev) {
        if (ev.key !== "Enter") return;
        ev.preventDefault();
        var rows = Array.prototype.slice.call(optList.querySelectorAll("input"));
        var i = rows.indexOf(input);
        if (i < rows.length - 1) rows[i + 1].focus();
        else if (rows.length < MAX_OPTIONS) addOption("", true);
        else submit.focus();
      });
      var row = h("div", { class: "option-row" }, input,
        h("button", { type: "button", class: "icon-btn", onclick: function () {
          var next = row.nextElementSibling || row.previousElementSibling;
          row.remove();
          renumber();
          if (next) next.querySelector("input").focus();
        } }, icon("close")));
      optList.appendChild(row);
      renumber();
      if (focus) input.focus();
    }

    var form = h("form", { class: "card form", novalidate: true },
      errorsBox,
      h("div", { class: "field" },
        h("label", { class: "field__label", for: "q" }, "Question"),
        q,
        h("span", { class: "field__help", id: "q-help" }, "Up to " + MAX_QUESTION + " characters."),
        qError),
      h("fieldset", { class: "field" },
        h("legend", null, "Options"),
        optList,
        h("span", { class: "field__help", id: "opt-help" }, "Between 2 and 10 options. Everyone gets one vote."),
        optError,
        h("div", null, addBtn)),
      submit);

    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var question = q.value.trim().replace(/\s+/g, " ");
      var inputs = Array.prototype.slice.call(optList.querySelectorAll("input"));
      var options = inputs.map(function (i) { return i.value.trim().replace(/\s+/g, " "); });
      var filled = options.filter(Boolean);
      var problems = [];
      var firstOptBad = null;

      qError.hidden = true; q.removeAttribute("aria-invalid");
      optError.hidden = true;
      inputs.forEach(function (i) { i.removeAttribute("aria-invalid"); });

      if (!question) {
        qError.textContent = "Write the question people will answer.";
        qError.hidden = false; q.setAttribute("aria-invalid", "true");
        problems.push({ id: "q", text: "Question is empty" });
      }
      var seen = {};
      var dupe = null;
      filled.forEach(function (o) { var k = o.toLowerCase(); if (seen[k]) dupe = o; seen[k] = true; });
      if (filled.length < MIN_OPTIONS) {
        optError.textContent = "Give at least two options to choose from.";
        firstOptBad = inputs.find(function (i) { return !i.value.trim(); }) || inputs[0];
      } else if (dupe) {
        optError.textContent = "\u201c" + dupe + "\u201d is listed twice. Make every option different.";
        firstOptBad = inputs.filter(function (i) { return i.value.trim().replace(/\s+/g, " ").toLowerCase() === dupe.toLowerCase(); })[1];
      }
      if (firstOptBad) {
        optError.hidden = false;
        firstOptBad.setAttribute("aria-invalid", "true");
        problems.push({ id: firstOptBad.id, text: optError.textContent });
      }
      if (problems.length) {
        showErrors(errorsBox, problems);
        return;
      }
      errorsBox.hidden = true;

      busy(submit, true);
      try {
        var who = null;
        try { who = await me(); } catch (e) { /* a poll can be created without a name */ }
        var id = newId();
        if (await sdk.shared.get(keys.poll(id))) id = newId();   // 60 random bits: a clash is near impossible
        var poll = { v: 1, q: question, options: filled, by: who ? who.name : "", owner: who ? who.id : "", at: Date.now(), closed: false };
        await sdk.shared.set(keys.poll(id), poll);
        await remember({ id: id, q: question, at: poll.at, role: "created" });
        pollView(id, { created: true });
      } catch (e) {
        busy(submit, false);
        showErrors(errorsBox, [{ text: "The poll wasn't created. " + errText(e, { denied: "Poll needs shared storage to save a poll everyone can see. You said no; allow it under Me → Mini-programs and try again." }) }]);
      }
    });

    setView([
      backBar("Polls", home),
      h("h1", null, "New poll"),
      form
    ]);
    addOption("", false);
    addOption("", false);
    q.focus();
  }

  // Error summary at the top of a form, each linking to its field.
  function showErrors(box, problems) {
    box.textContent = "";
    append(box, [
      h("p", null, problems.length === 1 ? "There is a problem" : "There are " + problems.length + " problems"),
      h("ul", null, problems.map(function (p) {
        if (!p.id) return h("li", null, p.text);
        return h("li", null, h("a", { href: "#" + p.id, onclick: function (ev) {
          ev.preventDefault();
          var el = document.getElementById(p.id);
          if (el) el.focus();
        } }, p.text));
      }))
    ]);
    box.hidden = false;
    box.focus();
  }

  function notFound(why) {
    setView([
      backBar("Polls", home),
      h("div", { class: "empty card" },
        icon("poll", 64),
        h("h1", null, "Poll not found"),
        h("p", null, why || "This poll doesn't exist. It may have been removed, or the link is incomplete."),
        h("button", { type: "button", class: "btn btn--primary", onclick: function () { createView(); } }, "Create a poll"))
    ]);
  }

  /* One poll: vote, then results that keep updating */
  async function pollView(id, opts) {
    opts = opts || {};
    if (!ID_RE.test(id)) { notFound("This link doesn't point to a poll."); return; }
    loading();
    var token = kit.token();
    var poll;
    try {
      poll = await sdk.shared.get(keys.poll(id));
    } catch (e) {
      if (!current(token)) return;
      if (e.code === "not_found") { notFound(); return; }
      return loadFailed(e, function () { pollView(id, opts); });
    }
    if (!current(token)) return;
    if (!validPoll(poll)) { notFound(); return; }

    var who = null, profileError = null;
    try { who = await me(); } catch (e) { profileError = e; }
    var voted = false, myChoice = null;
    if (who) {
      try {
        var c = await sdk.shared.mine(keys.votes(id));
        voted = typeof c === "string";
        if (voted && /^\d+$/.test(c) && Number(c) < poll.options.length) myChoice = Number(c);
      } catch (e) {
        if (!current(token)) return;
        return loadFailed(e, function () { pollView(id, opts); });
      }
    }
    if (!current(token)) return;

    var isOwner = !!(who && poll.owner && poll.owner === who.id);
    var closed = !!poll.closed;
    var changing = !!opts.change && voted && !closed;
    var canVote = !!who && (!voted || changing) && !closed;
    var showResults = voted || closed || isOwner;

    var dot = function () { return h("span", { "aria-hidden": "true" }, "\u00b7"); };
    var meta = h("p", { class: "poll-meta" },
      poll.by ? [h("span", null, "by " + poll.by), dot()] : null,
      poll.at ? [h("span", null, day(poll.at)), dot()] : null,
      closed ? h("span", { class: "tag tag--muted" }, "Ended") : h("span", { class: "live" }, "Open"));

    var nodes = [
      backBar("Polls", home),
      opts.created ? h("div", { class: "notice", role: "status" },
        h("p", null, h("strong", null, "Poll created. "), "Share it to a chat so people can vote.")) : null,
      opts.notice ? h("div", { class: "notice", role: "status" }, h("p", null, opts.notice)) : null
    ];

    var card = h("section", { class: "card", "aria-labelledby": "poll-q" },
      h("h1", { id: "poll-q" }, poll.q), meta);
    nodes.push(card);

    if (profileError && !closed) {
      card.appendChild(h("div", { class: "notice notice--warn" },
        h("p", null, profileError.code === "consent_denied"
          ? "To vote, Poll needs to know who you are so everyone votes only once. You said no; allow Profile for Poll under Me → Mini-programs, then try again."
          : "You can't vote right now. " + errText(profileError)),
        h("button", { type: "button", class: "btn btn--small", onclick: function () { pollView(id); } }, "Try again")));
    }

    if (canVote) card.appendChild(voteForm(id, poll, changing ? myChoice : null));
    if (!canVote && !showResults && closed) card.appendChild(h("p", { class: "muted" }, "This poll has ended."));

    var results = null;
    if (showResults) {
      results = resultsBlock(poll, myChoice);
      if (canVote) {
        // The owner sees the count before voting; keep it apart from the form.
        nodes.push(h("section", { class: "card", "aria-labelledby": "res-h" },
          h("h2", { id: "res-h" }, "Results so far"), results.el));
      } else {
        card.appendChild(h("h2", { class: "visually-hidden" }, "Results"));
        card.appendChild(results.el);
        if (voted && myChoice === null) card.appendChild(h("p", { class: "muted small" }, "You've voted in this poll."));
      }
    } else if (canVote) {
      card.appendChild(h("p", { class: "muted small" }, "Results show once you've voted."));
    }

    nodes.push(actionsBlock(id, poll, isOwner, closed, opts.created, voted && !closed && !changing));
    setView(nodes, !opts.keepFocus);

    if (results) {
      var t = kit.token();
      var delay = REFRESH_MS;
      var inFlight = false;
      var ticks = 0;
      var earlier;   // votes from before 1.1 whose voter can't be told (read once)
      var tick = async function () {
        if (!current(t) || inFlight) return;
        clearTimeout(refreshTimer);
        if (!document.hidden) {
          inFlight = true;
          try {
            var counts = await sdk.shared.get(keys.votes(id));
            if (earlier === undefined) {
              var old = await sdk.shared.get(keys.poll(id) + ":earlier");
              earlier = old && typeof old.votes === "object" ? old.votes : null;
            }
            if (!current(t)) return;
            results.update(withEarlier(counts, earlier));
            delay = REFRESH_MS;
            // Now and then, check whether the owner has ended the poll.
            if (++ticks % 5 === 0) {
              var latest = await sdk.shared.get(keys.poll(id));
              if (!current(t)) return;
              if (validPoll(latest) && latest.closed) { inFlight = false; pollView(id, { keepFocus: true }); return; }
            }
          } catch (e) {
            if (!current(t)) return;
            results.stale(e);
            delay = e.code === "rate_limited" ? Math.min(delay * 2, 60000) : REFRESH_MS * 2;
          }
          inFlight = false;
        }
        if (!closed && current(t)) refreshTimer = setTimeout(tick, delay);
      };
      if (!closed) refreshNow = tick;
      tick();
    }
  }

  function loadFailed(e, retry) {
    kit.loadFailed(e, retry, {
      back: backBar("Polls", home),
      title: "Couldn't open the poll",
      denied: "Poll needs shared storage to show polls. You said no; allow it under Me → Mini-programs and try again."
    });
  }

  // The vote form; current is the member's choice when they change their vote.
  function voteForm(id, poll, current) {
    var changing = current !== null;
    var name = "choice";
    var err = h("p", { class: "field__error", id: "vote-error", role: "alert", hidden: true });
    var submit = h("button", { type: "submit", class: "btn btn--primary btn--block" }, changing ? "Change vote" : "Vote");
    var group = h("fieldset", { class: "choices", "aria-describedby": "vote-error" },
      h("legend", { class: "visually-hidden" }, poll.q),
      poll.options.map(function (o, i) {
        return h("label", { class: "choice" },
          h("input", { type: "radio", name: name, value: String(i), checked: i === current }),
          h("span", null, o));
      }));
    var form = h("form", { class: "form", novalidate: true }, group, err, submit);

    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var picked = form.querySelector("input:checked");
      if (!picked) {
        err.textContent = "Choose an option first.";
        err.hidden = false;
        form.querySelector("input").focus();
        return;
      }
      err.hidden = true;
      var idx = Number(picked.value);
      busy(submit, true);
      try {
        var fresh = await sdk.shared.get(keys.poll(id));
        if (!validPoll(fresh)) { notFound(); return; }
        if (fresh.closed) { pollView(id, { notice: "Voting has ended; your vote wasn't counted." }); return; }
        // One choice per member, kept by Plaza: voting again would only change it.
        if (!changing && typeof (await sdk.shared.mine(keys.votes(id))) === "string") {
          pollView(id, { notice: "You've already voted in this poll." });
          return;
        }
        await sdk.shared.vote(keys.votes(id), String(idx));
        await remember({ id: id, q: fresh.q, at: Date.now(), role: "voted" });
        toast(changing ? "Vote changed." : "Vote counted. Thanks!");
        pollView(id);
      } catch (e) {
        busy(submit, false);
        err.textContent = "Your vote wasn't counted. " + errText(e, { denied: "Poll needs shared storage to count votes. You said no; allow it under Me → Mini-programs." });
        err.hidden = false;
      }
    });
    return form;
  }

  // Bars with counts and percentages; update() moves them in place so
  // focus and scroll stay put while votes come in.
  function resultsBlock(poll, myChoice) {
    var rows = poll.options.map(function (o, i) {
      var nums = h("span", { class: "result__nums" });
      var fill = h("span");
      fill.style.width = "0%";
      var li = h("li", { class: "result" },
        h("div", { class: "result__line" },
          h("span", { class: "result__label" }, h("strong", null, o),
            i === myChoice ? h("span", { class: "tag" }, icon("check", 14), "Your vote") : null),
          nums),
        h("div", { class: "bar", "aria-hidden": "true" }, fill));
      return { li: li, nums: nums, fill: fill };
    });
    var total = h("p", { class: "total", "aria-live": "polite" }, "Counting…");
    var status = h("p", { class: "muted small", hidden: true });
    var el = h("div", null, h("ol", { class: "results" }, rows.map(function (r) { return r.li; })), total, status);
    var lastTotal = -1;

    return {
      el: el,
      update: function (counts) {
        var n = countsFor(poll, counts);
        var sum = n.reduce(function (a, b) { return a + b; }, 0);
        var top = Math.max.apply(null, n);
        rows.forEach(function (r, i) {
          var share = sum ? n[i] / sum : 0;
          r.nums.textContent = "";
          append(r.nums, [h("b", null, fmtPct.format(share)), " · " + votes(n[i])]);
          r.fill.style.width = (share * 100).toFixed(1) + "%";
          r.li.classList.toggle("result--top", top > 0 && n[i] === top);
        });
        if (sum !== lastTotal) {
          total.textContent = sum ? votes(sum) + " in total" : "No votes yet.";
          lastTotal = sum;
        }
        status.hidden = true;
      },
      stale: function (e) {
        status.textContent = "Couldn't refresh the results. " + errText(e);
        status.hidden = false;
      }
    };
  }

  // The vote comes back as {"<option index>": n}.
  // withEarlier adds votes kept from before Poll 1.1 (Plaza wrote them when
  // upgrading, for voters it could no longer tell) to today's counts.
  function withEarlier(counts, earlier) {
    if (!earlier) return counts;
    var out = {};
    Object.keys(counts || {}).forEach(function (k) { out[k] = counts[k]; });
    Object.keys(earlier).forEach(function (k) {
      if (typeof earlier[k] === "number" && earlier[k] > 0) out[k] = (typeof out[k] === "number" ? out[k] : 0) + earlier[k];
    });
    return out;
  }

  function countsFor(poll, counts) {
    var out = poll.options.map(function () { return 0; });
    Object.keys(counts || {}).forEach(function (k) {
      var i = /^\d+$/.test(k) ? Number(k) : -1;
      var v = counts[k];
      if (Number.isInteger(i) && i >= 0 && i < out.length && typeof v === "number" && v > 0) out[i] = Math.floor(v);
    });
    return out;
  }

  function actionsBlock(id, poll, isOwner, closed, prominentShare, canChange) {
    var shareBtn = h("button", { type: "button", class: "btn " + (prominentShare ? "btn--primary" : "") },
      icon("share"), "Share to a chat");
    shareBtn.addEventListener("click", async function () {
      busy(shareBtn, true);
      try {
        await sdk.share({ title: clip(poll.q, SHARE_TITLE_MAX), path: "#poll=" + id });
        toast("Shared to the chat.");
      } catch (e) {
        if (e.code === "consent_denied") toast("Not shared.");
        else toast("Couldn't share the poll. " + errText(e), true);
      } finally {
        busy(shareBtn, false);
      }
    });
    var box = h("div", { class: "actions" }, shareBtn);
    if (canChange) {
      append(box, h("button", { type: "button", class: "btn", onclick: function () { pollView(id, { change: true }); } }, "Change my vote"));
    }
    if (isOwner && !closed) {
      var endBtn = h("button", { type: "button", class: "btn btn--danger" }, icon("stop"), "End poll");
      var confirmBox = h("div", { class: "confirm", role: "group", "aria-labelledby": "end-q", hidden: true });
      var yes = h("button", { type: "button", class: "btn btn--primary btn--danger btn--small" }, "End poll");
      var no = h("button", { type: "button", class: "btn btn--small" }, "Keep it open");
      append(confirmBox, [h("p", { id: "end-q" }, "End this poll? Nobody will be able to vote any more; results stay visible."),
        h("div", { class: "row" }, yes, no)]);
      endBtn.addEventListener("click", function () { confirmBox.hidden = false; endBtn.hidden = true; no.focus(); });
      no.addEventListener("click", function () { confirmBox.hidden = true; endBtn.hidden = false; endBtn.focus(); });
      yes.addEventListener("click", async function () {
        busy(yes, true);
        try {
          var fresh = await sdk.shared.get(keys.poll(id));
          if (!validPoll(fresh)) { notFound(); return; }
          fresh.closed = true;
          fresh.closedAt = Date.now();
          await sdk.shared.set(keys.poll(id), fresh);
          toast("Poll ended.");
          pollView(id);
        } catch (e) {
          busy(yes, false);
          toast("The poll is still open. " + errText(e), true);
        }
      });
      append(box, [endBtn]);
      return h("div", null, box, confirmBox);
    }
    return box;
  }

  /* ---------- start ---------- */

  // A card shared to a chat opens "#poll=<id>".
  function route(params) {
    if (params.poll !== undefined) pollView(params.poll);
    else home();
  }

  kit.start(route, "Poll runs inside Plaza. Open it from the Minis tab or from a poll card in a chat.");
  document.addEventListener("visibilitychange", function () {
    // Catch up as soon as the member comes back to a poll.
    if (!document.hidden && refreshNow) refreshNow();
  });
})();
