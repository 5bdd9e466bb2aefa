/* Events — a Plaza mini-program.
 *
 * Shared storage (every member sees it; Plaza enforces who writes what):
 *   event:<id>               {v, title, about, start (ms since 1970), tz, place, capacity (0 = no limit),
 *                             price (minor units, 0 = free), currency, by, owner, at, canceled}:
 *                             a value only the host (who created it) can change
 *   event:<id>:taken         a counter: spots taken. Each member adds 1 once (their spot) and
 *                             takes it back when they cancel; shared.mine tells whether they hold one
 *   rsvp:<id>:@<member>      {name, at} an RSVP, {name, at, pending: true} while a ticket is being
 *                             paid, {canceled: true, at} once given up: only that member writes it
 *   paid:ticket:<id>:@<member>  the receipt Plaza writes when that member's ticket payment
 *                             settles ({order, status, amount, currency, at}); no member can write it,
 *                             so a ticket counts as paid only with a receipt for the event's price
 * Member storage (only this member):
 *   myevents               [{id, title, start, role: "host" | "going"}]
 *
 * A card shared to a chat opens the mini at "#event=<id>".
 */
(function () {
  "use strict";

  var sdk = window.plaza;

  var ID_RE = /^[a-z0-9]{4,32}$/;
  var SHARE_TITLE_MAX = 80;    // Plaza refuses longer card titles
  var PAY_TEXT_MAX = 120;      // and longer payment descriptions
  var CURRENCIES = ["usd", "eur", "gbp"];
  var MIN_PRICE = 50;          // 0.50: below this card payments cost more than they bring
  var MAX_PRICE = 1000000;     // 10,000.00
  var MAX_CAPACITY = 10000;
  var MAX_REMEMBERED = 100;

  /* ---------- shared kit (minis/sdk/kit.js) ---------- */

  var kit = window.plazaKit;
  var h = kit.h, append = kit.append, icon = kit.icon, toast = kit.toast, busy = kit.busy, errText = kit.errText;
  var newId = kit.newId, clip = kit.clip, runes = kit.runes, setView = kit.setView, loading = kit.loading;
  var current = kit.current;

  kit.configure({
    name: "Events",
    toastMs: 4000,
    errors: {
      too_large: "That's too long to save. Shorten the description and try again.",
      not_found: "That event doesn't exist any more.",
      forbidden: "Only the host can change this event."
    }
  });
  kit.addIcons({
    clock: '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    pin: '<path d="M12 21s-7-6.2-7-11.5A7 7 0 0 1 19 9.5C19 14.8 12 21 12 21z"/><circle cx="12" cy="9.5" r="2.5"/>',
    ticket: '<path d="M3 8a2 2 0 0 0 2-2h14a2 2 0 0 0 2 2v2a2 2 0 0 0 0 4v2a2 2 0 0 0-2 2H5a2 2 0 0 0-2-2v-2a2 2 0 0 0 0-4z"/><path d="M14 6v12" stroke-dasharray="2 2"/>',
    people: '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0"/><path d="M16 4.6a3.5 3.5 0 0 1 0 6.8M18 14.2a6.5 6.5 0 0 1 3.5 5.8"/>',
    calendar: '<rect x="3" y="5" width="18" height="16" rx="3"/><path d="M3 10h18M8 3v4M16 3v4"/>'
  });

  /* ---------- formatting ---------- */

  var fmtNum = new Intl.NumberFormat();
  var fmtWhen = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
  var fmtShort = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" });
  var fmtMonth = new Intl.DateTimeFormat(undefined, { month: "short" });
  var fmtDay = new Intl.DateTimeFormat(undefined, { day: "numeric" });
  var fmtRel = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  var plural = new Intl.PluralRules("en");
  function count(n, one, many) { return fmtNum.format(n) + " " + (plural.select(n) === "one" ? one : many); }
  function money(minor, cur) {
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency: cur.toUpperCase() }).format(minor / 100);
    } catch (e) { return (minor / 100).toFixed(2) + " " + cur.toUpperCase(); }
  }
  function relative(ms) {
    var diff = ms - Date.now();
    var abs = Math.abs(diff);
    var units = [["day", 864e5], ["hour", 36e5], ["minute", 6e4]];
    for (var i = 0; i < units.length; i++) {
      if (abs >= units[i][1] || i === units.length - 1) return fmtRel.format(Math.round(diff / units[i][1]), units[i][0]);
    }
    return "";
  }
  function initials(name) {
    var parts = String(name || "?").trim().split(/\s+/);
    return (parts[0] ? Array.from(parts[0])[0] : "?") + (parts.length > 1 ? Array.from(parts[parts.length - 1])[0] : "");
  }
  // "12.50" or "12,50" → 1250 without going through floating point.
  function parseMoney(s) {
    var m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(String(s).trim());
    if (!m) return null;
    return Number(m[1]) * 100 + Number(((m[2] || "") + "00").slice(0, 2));
  }
  function localInputValue(d) {
    function p(n) { return String(n).padStart(2, "0"); }
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" + p(d.getMinutes());
  }
  function guessCurrency() {
    var lang = (navigator.language || "").toUpperCase();
    var region = lang.split("-")[1] || "";
    if (region === "GB") return "gbp";
    var euro = "AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK".split(" ");
    if (euro.indexOf(region) >= 0 || /^(DE|FR|ES|IT|NL|PT|FI|EL|SK|SL|ET|LV|LT)$/.test(lang)) return "eur";
    return "usd";
  }

  function tidy(s) { return String(s || "").trim().replace(/[ \t]+/g, " "); }

  /* ---------- SDK wrappers ---------- */

  var profilePromise = null;
  function me() {
    if (!profilePromise) {
      profilePromise = sdk.getProfile().catch(function (e) { profilePromise = null; throw e; });
    }
    return profilePromise;
  }

  var keys = {
    event: function (id) { return "event:" + id; },
    taken: function (id) { return "event:" + id + ":taken"; },
    rsvp: function (id, m) { return "rsvp:" + id + ":@" + m; },
    rsvpPrefix: function (id) { return "rsvp:" + id + ":@"; },
    ticketRef: function (id) { return "ticket:" + id; },
    paid: function (id, m) { return "paid:ticket:" + id + ":@" + m; },
    paidPrefix: function (id) { return "paid:ticket:" + id + ":@"; }
  };

  async function loadMine() {
    try {
      var list = await sdk.storage.get("myevents");
      return { list: Array.isArray(list) ? list.filter(function (p) { return p && ID_RE.test(p.id); }) : [] };
    } catch (e) {
      return { list: [], error: e };
    }
  }
  async function remember(entry) {
    try {
      var all = (await loadMine()).list;
      var before = all.find(function (p) { return p.id === entry.id; });
      if (before && before.role === "host") entry.role = "host";
      var cur = all.filter(function (p) { return p.id !== entry.id; });
      cur.unshift(entry);
      await sdk.storage.set("myevents", cur.slice(0, MAX_REMEMBERED));
    } catch (e) { /* the event still works; it just isn't listed */ }
  }
  async function forget(id) {
    try {
      var all = (await loadMine()).list;
      var next = all.filter(function (p) { return p.id !== id || p.role === "host"; });
      if (next.length !== all.length) await sdk.storage.set("myevents", next);
    } catch (e) { /* nothing to tidy */ }
  }

  function validEvent(ev) {
    return ev && typeof ev === "object" && typeof ev.title === "string" && typeof ev.start === "number" &&
      Number.isInteger(ev.capacity || 0) && Number.isInteger(ev.price || 0) &&
      (!ev.price || CURRENCIES.indexOf(ev.currency) >= 0);
  }
  function isAttendee(v) { return v && typeof v === "object" && typeof v.name === "string" && !v.canceled && !v.pending; }

  /* ---------- views ---------- */

  function backButton() { return kit.backBar("Events", home); }
  function tile(ms, past) {
    var d = new Date(ms);
    return h("span", { class: "tile" + (past ? " tile--past" : ""), "aria-hidden": "true" },
      h("span", { class: "tile__m" }, fmtMonth.format(d)),
      h("span", { class: "tile__d" }, fmtDay.format(d)));
  }

  /* Home: events I host or go to */
  async function home() {
    loading();
    var token = kit.token();
    var mine = await loadMine();
    if (!current(token)) return;
    var now = Date.now();
    var upcoming = mine.list.filter(function (e) { return e.start >= now; }).sort(function (a, b) { return a.start - b.start; });
    var past = mine.list.filter(function (e) { return e.start < now; }).sort(function (a, b) { return b.start - a.start; });

    var nodes = [h("div", { class: "head" },
      h("h1", null, "Events"),
      h("button", { type: "button", class: "btn btn--primary btn--small", onclick: function () { createView(); } },
        icon("plus"), "New event"))];

    if (mine.error) {
      nodes.push(h("div", { class: "notice notice--warn" }, h("p", null, mine.error.code === "consent_denied"
        ? "Events can't keep a list of your events because you said no to storage. You can still create events and RSVP; to get the list, allow storage under Me → Mini-programs."
        : "Your list of events couldn't be loaded. " + errText(mine.error))));
    }
    function section(title, items, isPast) {
      if (!items.length) return null;
      return [h("h2", { class: "section-title" }, title),
        h("ul", { class: "list" }, items.map(function (e) {
          return h("li", null, h("button", { type: "button", class: "cell", onclick: function () { eventView(e.id); } },
            tile(e.start, isPast),
            h("span", { class: "cell__body" },
              h("span", { class: "cell__title" }, e.title || "Event"),
              h("span", { class: "cell__sub" }, (e.role === "host" ? "Hosting" : "Going") + " · " + fmtShort.format(new Date(e.start)))),
            h("span", { class: "chev" }, icon("chev"))));
        }))];
    }
    if (!mine.list.length) {
      nodes.push(h("div", { class: "empty card" },
        icon("calendar", 64),
        h("p", null, "No events yet. Plan something and share it to a chat; people RSVP right from the card."),
        h("button", { type: "button", class: "btn btn--primary", onclick: function () { createView(); } }, "Create an event")));
    } else {
      nodes.push(section("Coming up", upcoming, false));
      if (!upcoming.length) nodes.push(h("p", { class: "muted" }, "Nothing coming up."));
      nodes.push(section("Past", past, true));
    }
    setView(nodes);
  }

  /* Create an event */
  function createView() {
    var errorsBox = h("div", { class: "errors", tabindex: "-1", hidden: true });
    var fields = {};
    function field(id, label, control, help) {
      var err = h("p", { class: "field__error", id: id + "-error", hidden: true });
      control.id = control.id || id;
      control.setAttribute("aria-describedby", (help ? id + "-help " : "") + id + "-error");
      fields[id] = { control: control, error: err };
      return h("div", { class: "field" },
        h("label", { class: "field__label", for: control.id }, label),
        control,
        help ? h("span", { class: "field__help", id: id + "-help" }, help) : null,
        err);
    }
    var soon = new Date(Date.now() + 7 * 864e5);
    soon.setHours(19, 0, 0, 0);
    var title = h("input", { type: "text", class: "field__input", maxlength: 80, autocomplete: "off", placeholder: "Board games night" });
    var about = h("textarea", { class: "field__input", maxlength: 500, rows: 3, placeholder: "What to expect, what to bring…" });
    var when = h("input", { type: "datetime-local", class: "field__input", min: localInputValue(new Date()), value: localInputValue(soon) });
    var place = h("input", { type: "text", class: "field__input", maxlength: 120, autocomplete: "off", placeholder: "Community room, 2nd floor — or Online" });
    var cap = h("input", { type: "number", class: "field__input", min: 1, max: MAX_CAPACITY, step: 1, inputmode: "numeric", placeholder: "No limit" });
    var price = h("input", { type: "text", class: "field__input", inputmode: "decimal", autocomplete: "off", placeholder: "Free", id: "price" });
    var cur = h("select", { class: "field__input", id: "currency", "aria-label": "Currency" },
      CURRENCIES.map(function (c) { return h("option", { value: c }, c.toUpperCase()); }));
    cur.value = guessCurrency();
    var priceErr = h("p", { class: "field__error", id: "price-error", hidden: true });
    price.setAttribute("aria-describedby", "price-help price-error");
    fields.price = { control: price, error: priceErr };
    var submit = h("button", { type: "submit", class: "btn btn--primary btn--block" }, "Create event");

    var form = h("form", { class: "card form", novalidate: true },
      errorsBox,
      field("title", "Title", title),
      field("when", "Date and time", when, "In your time zone; everyone sees it in theirs."),
      field("place", "Place", place),
      field("about", "About (optional)", about, "Up to 500 characters."),
      h("div", { class: "row2" },
        field("cap", "Capacity (optional)", cap, "Leave empty for no limit."),
        h("div", { class: "field" },
          h("label", { class: "field__label", for: "price" }, "Ticket price (optional)"),
          h("div", { class: "money" }, price, cur),
          h("span", { class: "field__help", id: "price-help" }, "Leave empty for a free event."),
          priceErr)),
      submit);

    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      Object.keys(fields).forEach(function (k) { fields[k].error.hidden = true; fields[k].control.removeAttribute("aria-invalid"); });
      var problems = [];
      function bad(k, msg) {
        fields[k].error.textContent = msg;
        fields[k].error.hidden = false;
        fields[k].control.setAttribute("aria-invalid", "true");
        problems.push({ id: fields[k].control.id, text: msg });
      }
      var t = tidy(title.value);
      if (!t) bad("title", "Give the event a title.");
      var start = when.value ? new Date(when.value).getTime() : NaN;
      if (!when.value || isNaN(start)) bad("when", "Choose the date and time it starts.");
      else if (start < Date.now()) bad("when", "That time has passed. Choose a time in the future.");
      var pl = tidy(place.value);
      if (!pl) bad("place", "Say where it happens (an address, a room, or \u201cOnline\u201d).");
      var capacity = 0;
      if (cap.value.trim() !== "" || (cap.validity && cap.validity.badInput)) {
        capacity = Number(cap.value);
        if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
          bad("cap", "Capacity is a whole number from 1 to " + fmtNum.format(MAX_CAPACITY) + ", or empty for no limit.");
        }
      }
      var amount = 0;
      if (price.value.trim() !== "") {
        amount = parseMoney(price.value);
        if (amount === null) bad("price", "Type the price like 12.50.");
        else if (amount !== 0 && amount < MIN_PRICE) bad("price", "Tickets cost at least " + money(MIN_PRICE, cur.value) + ", or leave it empty for free.");
        else if (amount > MAX_PRICE) bad("price", "Tickets cost at most " + money(MAX_PRICE, cur.value) + ".");
      }
      if (problems.length) { showErrors(errorsBox, problems); return; }
      errorsBox.hidden = true;

      busy(submit, true);
      try {
        var who = null;
        try { who = await me(); } catch (e) { /* an event can be created without a host name */ }
        var id = newId();
        if (await sdk.shared.get(keys.event(id))) id = newId();
        var event = {
          v: 1, title: t, about: String(about.value || "").trim(), start: start,
          tz: Intl.DateTimeFormat().resolvedOptions().timeZone || "",
          place: pl, capacity: capacity, price: amount || 0, currency: amount ? cur.value : "",
          by: who ? who.name : "", owner: who ? who.id : "", at: Date.now(), canceled: false
        };
        await sdk.shared.set(keys.event(id), event);
        await remember({ id: id, title: t, start: start, role: "host" });
        eventView(id, { created: true });
      } catch (e) {
        busy(submit, false);
        showErrors(errorsBox, [{ text: "The event wasn't created. " + errText(e, { denied: "Events needs shared storage to save an event everyone can see. You said no; allow it under Me → Mini-programs and try again." }) }]);
      }
    });

    setView([backButton(), h("h1", null, "New event"), form]);
    title.focus();
  }

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
    setView([backButton(), h("div", { class: "empty card" },
      icon("calendar", 64),
      h("h1", null, "Event not found"),
      h("p", null, why || "This event doesn't exist. It may have been removed, or the link is incomplete."),
      h("button", { type: "button", class: "btn btn--primary", onclick: function () { createView(); } }, "Create an event"))]);
  }

  function loadFailed(e, retry) {
    kit.loadFailed(e, retry, {
      back: backButton(),
      title: "Couldn't open the event",
      denied: "Events needs shared storage to show events. You said no; allow it under Me → Mini-programs and try again."
    });
  }

  /* One event: details, RSVP or ticket, who's going */
  async function eventView(id, opts) {
    opts = opts || {};
    if (!ID_RE.test(id)) { notFound("This link doesn't point to an event."); return; }
    loading();
    var token = kit.token();
    var ev, who = null, profileError = null, taken = 0, records = {}, held = 0, receipts = {};
    try {
      ev = await sdk.shared.get(keys.event(id));
      if (!current(token)) return;
      if (!validEvent(ev)) { notFound(); return; }
      try { who = await me(); } catch (e) { profileError = e; }
      var got = await Promise.all([
        sdk.shared.get(keys.taken(id)),
        sdk.shared.list(keys.rsvpPrefix(id)),
        who ? sdk.shared.mine(keys.taken(id)) : 0,
        ev.price > 0 ? sdk.shared.list(keys.paidPrefix(id)) : {}
      ]);
      taken = Math.max(0, Number(got[0]) || 0);
      records = got[1] || {};
      held = Number(got[2]) || 0;
      receipts = got[3] || {};
    } catch (e) {
      if (!current(token)) return;
      if (e.code === "not_found") { notFound(); return; }
      loadFailed(e, function () { eventView(id, opts); });
      return;
    }
    if (!current(token)) return;

    var prefix = keys.rsvpPrefix(id);
    var myKey = who ? keys.rsvp(id, who.id) : "";
    var mine = who ? records[myKey] : null;
    var paid = ev.price > 0;
    // A ticket is paid only if Plaza wrote its receipt, for this event's price.
    var hasTicket = function (member) {
      var r = receipts[keys.paid(id, member)];
      return !!r && r.status === "paid" && r.amount === ev.price && r.currency === ev.currency;
    };
    var counts = function (member, rec) {
      return paid ? !!rec && typeof rec.name === "string" && !rec.canceled && hasTicket(member) : isAttendee(rec);
    };
    var attendees = Object.keys(records).filter(function (k) { return counts(k.slice(prefix.length), records[k]); })
      .map(function (k) { return { key: k, member: k.slice(prefix.length), rec: records[k] }; })
      .sort(function (a, b) { return (a.rec.at || 0) - (b.rec.at || 0); });

    var now = Date.now();
    var past = ev.start < now;
    var canceled = !!ev.canceled;
    var isOwner = !!(who && ev.owner && ev.owner === who.id);
    var full = ev.capacity > 0 && taken >= ev.capacity;
    var going = held >= 1 && !!who && counts(who.id, mine);
    // A spot held without a confirmed record: a ticket payment that didn't
    // finish, or an RSVP interrupted between its steps.
    var unfinished = held >= 1 && !going;

    var state = { id: id, ev: ev, who: who };

    var statusTags = [];
    if (canceled) statusTags.push(h("span", { class: "tag tag--danger" }, "Canceled"));
    else if (past) statusTags.push(h("span", { class: "tag" }, "Past event"));
    if (going) statusTags.push(h("span", { class: "tag tag--ok" }, icon("check", 14), paid ? "You have a ticket" : "You're going"));
    if (!canceled && !past && full && !going) statusTags.push(h("span", { class: "tag tag--warn" }, "Full"));
    if (isOwner) statusTags.push(h("span", { class: "tag" }, "You're hosting"));

    var d = new Date(ev.start);
    var spots;
    if (ev.capacity > 0) {
      var left = Math.max(0, ev.capacity - taken);
      spots = h("li", null, icon("people"), h("span", { style: "flex:1" },
        fmtNum.format(Math.min(taken, ev.capacity)) + " of " + count(ev.capacity, "spot", "spots") + " taken",
        h("span", { class: "fact__sub" }, left ? count(left, "spot", "spots") + " left" : "No spots left"),
        h("span", { class: "meter" + (left ? "" : " meter--full"), "aria-hidden": "true" },
          h("span", { style: "width:" + Math.min(100, taken / ev.capacity * 100).toFixed(1) + "%" }))));
    } else {
      spots = h("li", null, icon("people"), h("span", null, count(attendees.length, "person", "people") + " going",
        h("span", { class: "fact__sub" }, "No limit on numbers")));
    }

    var card = h("section", { class: "card" },
      h("div", { class: "event-head" }, tile(ev.start, past || canceled),
        h("div", null,
          h("h1", null, ev.title),
          ev.by ? h("p", { class: "muted" }, "Hosted by " + ev.by) : null)),
      statusTags.length ? h("p", { class: "status" }, statusTags) : null,
      h("ul", { class: "facts" },
        h("li", null, icon("clock"), h("span", null, h("time", { datetime: d.toISOString() }, fmtWhen.format(d)),
          h("span", { class: "fact__sub" }, relative(ev.start)))),
        h("li", null, icon("pin"), h("span", null, ev.place)),
        h("li", null, icon("ticket"), h("span", null, paid ? money(ev.price, ev.currency) + " per ticket" : "Free",
          h("span", { class: "fact__sub" }, paid ? "Paid through Plaza's checkout" : "Just RSVP"))),
        spots),
      ev.about ? h("p", { class: "about" }, ev.about) : null);

    var nodes = [backButton()];
    if (opts.created) {
      nodes.push(h("div", { class: "notice", role: "status" },
        h("p", null, h("strong", null, "Event created. "), "Share it to a chat so people can RSVP.")));
    }
    if (opts.notice) nodes.push(h("div", { class: "notice" + (opts.error ? " notice--error" : ""), role: opts.error ? "alert" : "status" }, h("p", null, opts.notice)));
    nodes.push(card);

    // What this member can do now.
    var act = h("div", { class: "card" });
    if (canceled) {
      append(act, h("p", null, "The host canceled this event." + (paid && going ? " Ask " + (ev.by || "the host") + " about your ticket." : "")));
    } else if (past) {
      append(act, h("p", null, going ? "This event has passed. Hope it was a good one!" : "This event has passed; RSVPs are closed."));
    } else if (profileError) {
      append(act, h("div", { class: "notice notice--warn" },
        h("p", null, profileError.code === "consent_denied"
          ? "To RSVP, Events needs your name and member id so the host knows who's coming and everyone RSVPs once. You said no; allow Profile for Events under Me → Mini-programs, then try again."
          : "You can't RSVP right now. " + errText(profileError)),
        h("button", { type: "button", class: "btn btn--small", onclick: function () { eventView(id); } }, "Try again")));
    } else if (going && !paid) {
      append(act, h("p", null, "You're on the list. Can't make it? Free up your spot for someone else."),
        confirmButton("Cancel my RSVP", "Cancel your RSVP? Your spot goes to the next person.", "Yes, cancel", "Keep my spot", function () { return cancelRsvp(state); }));
    } else if (going && paid) {
      append(act, h("p", null, "Your ticket is paid. See you there!"),
        h("p", { class: "muted small" }, "Paid tickets can't be canceled here. If you can't come, tell " + (ev.by || "the host") + "."));
    } else if (unfinished && paid) {
      var payBtn = h("button", { type: "button", class: "btn btn--primary" }, "Pay " + money(ev.price, ev.currency));
      payBtn.addEventListener("click", function () { busy(payBtn, true); payAndConfirm(state, opts); });
      var relBtn = h("button", { type: "button", class: "btn" }, "Release my spot");
      relBtn.addEventListener("click", async function () {
        busy(relBtn, true);
        try { await release(state); toast("Your spot was released."); } catch (e) { toast("Your spot is still held. " + errText(e), true); }
        eventView(id);
      });
      append(act, h("div", { class: "notice notice--warn" },
        h("p", null, "Your ticket isn't paid yet, so your spot is only held. Pay to confirm it, or release it for someone else.")),
        h("div", { class: "actions" }, payBtn, relBtn));
    } else if (unfinished) {
      var finish = h("button", { type: "button", class: "btn btn--primary" }, "Finish my RSVP");
      finish.addEventListener("click", async function () {
        busy(finish, true);
        try {
          await sdk.shared.set(keys.rsvp(id, who.id), { name: who.name, at: Date.now() });
          await remember({ id: id, title: ev.title, start: ev.start, role: "going" });
          toast("You're going!");
        } catch (e) { toast("Your RSVP isn't finished. " + errText(e), true); }
        eventView(id);
      });
      append(act, h("p", null, "Your RSVP was interrupted; your spot is held."), finish);
    } else if (full) {
      append(act, h("p", null, "All " + count(ev.capacity, "spot is", "spots are") + " taken. If someone cancels, a spot opens up here."));
    } else {
      var rsvp = h("button", { type: "button", class: "btn btn--block" + (opts.created ? "" : " btn--primary") },
        paid ? "Buy a ticket · " + money(ev.price, ev.currency) : "RSVP: I'm going");
      var rsvpErr = h("p", { class: "field__error", role: "alert", hidden: true });
      rsvp.addEventListener("click", async function () {
        busy(rsvp, true);
        rsvpErr.hidden = true;
        try {
          await takeSpot(state, paid);
        } catch (e) {
          busy(rsvp, false);
          rsvpErr.textContent = "You're not on the list yet. " + errText(e, { denied: "Events needs shared storage to record RSVPs. You said no; allow it under Me → Mini-programs." });
          rsvpErr.hidden = false;
        }
      });
      append(act, rsvp, rsvpErr);
      if (paid) append(act, h("p", { class: "muted small", style: "margin:8px 0 0" }, "Plaza asks you to confirm, then opens the checkout. Your spot is held while you pay."));
    }

    var shareBtn = h("button", { type: "button", class: "btn" + (opts.created ? " btn--primary" : "") }, icon("share"), "Share to a chat");
    shareBtn.addEventListener("click", async function () {
      busy(shareBtn, true);
      try {
        var when = " · " + fmtShort.format(new Date(ev.start));
        await sdk.share({ title: clip(ev.title, SHARE_TITLE_MAX - runes(when)) + when, path: "#event=" + id });
        toast("Shared to the chat.");
      } catch (e) {
        if (e.code === "consent_denied") toast("Not shared.");
        else toast("Couldn't share the event. " + errText(e), true);
      } finally { busy(shareBtn, false); }
    });
    var actions = h("div", { class: "actions" });
    if (!canceled && !past) append(actions, shareBtn);
    if (isOwner && !canceled && !past) {
      append(actions, confirmButton("Cancel event", "Cancel this event for everyone?" + (paid ? " Paid tickets aren't refunded automatically." : ""),
        "Yes, cancel event", "Keep it", function () { return cancelEvent(state); }, true));
    }
    if (actions.childNodes.length) append(act, actions);
    if (act.childNodes.length) nodes.push(act);

    // Who's going
    var people = h("section", { class: "card", "aria-labelledby": "going-h" },
      h("h2", { id: "going-h" }, "Going (" + fmtNum.format(attendees.length) + ")"));
    if (!attendees.length) {
      append(people, h("p", { class: "muted" }, past ? "Nobody RSVPed." : "Nobody yet. Be the first!"));
    } else {
      append(people, h("ul", { class: "people" }, attendees.map(function (a) {
        var you = who && a.member === who.id;
        return h("li", null,
          h("span", { class: "avatar", "aria-hidden": "true" }, initials(a.rec.name)),
          h("span", null, a.rec.name || "Someone", you ? h("span", { class: "you" }, " (you)") : null,
            a.member === ev.owner ? h("span", { class: "you" }, " · host") : null),
          isOwner && paid && hasTicket(a.member) ? h("span", { class: "when" }, "Paid") : null);
      })));
    }
    if (held === 0 && taken > attendees.length && paid && !canceled && !past) {
      append(people, h("p", { class: "muted small" },
        count(taken - attendees.length, "spot is", "spots are") + " held for people paying for a ticket."));
    }
    if (isOwner && paid) {
      var sold = attendees.filter(function (a) { return hasTicket(a.member); }).length;
      append(people, h("p", { class: "muted small" }, count(sold, "ticket", "tickets") + " sold · " + money(sold * ev.price, ev.currency)));
    }
    nodes.push(people);

    setView(nodes, !opts.keepFocus);
  }

  // A button that turns into an inline "are you sure?" (sandboxed minis
  // can't use window.confirm).
  function confirmButton(label, question, yesLabel, noLabel, action, secondary) {
    var wrap = h("div", secondary ? null : { class: "actions" });
    var btn = h("button", { type: "button", class: "btn btn--danger" }, label);
    var box = h("div", { class: "confirm", role: "group", hidden: true });
    var qid = "q" + Math.random().toString(36).slice(2);
    box.setAttribute("aria-labelledby", qid);
    var yes = h("button", { type: "button", class: "btn btn--primary btn--danger btn--small" }, yesLabel);
    var no = h("button", { type: "button", class: "btn btn--small" }, noLabel);
    append(box, [h("p", { id: qid }, question), h("div", { class: "row" }, yes, no)]);
    btn.addEventListener("click", function () { box.hidden = false; btn.hidden = true; no.focus(); });
    no.addEventListener("click", function () { box.hidden = true; btn.hidden = false; btn.focus(); });
    yes.addEventListener("click", async function () {
      busy(yes, true);
      try { await action(); } catch (e) { busy(yes, false); toast(errText(e), true); }
    });
    if (secondary) return [btn, box];
    append(wrap, btn);
    return [wrap, box];
  }

  /* The RSVP steps. Every counter moves with incr, so two members taking
     the last spot at once can't both get it: the one whose incr passes the
     capacity gives it back. */
  async function takeSpot(s, paid) {
    var id = s.id, ev = s.ev, who = s.who;
    var fresh = await sdk.shared.get(keys.event(id));
    if (!validEvent(fresh)) { notFound(); return; }
    if (fresh.canceled || fresh.start < Date.now()) { eventView(id, { notice: "RSVPs for this event are closed." }); return; }
    s.ev = ev = fresh;

    // Each member adds 1 to the spots taken once (Plaza refuses a second time).
    var t;
    try {
      t = await sdk.shared.incr(keys.taken(id), 1);
    } catch (e) {
      if (e.code !== "conflict") throw e;
      eventView(id, { notice: "You're already on the list." });
      return;
    }
    try {
      if (ev.capacity > 0 && t > ev.capacity) {
        await undo(id);
        eventView(id, { notice: "Sorry, the last spot just went.", error: true });
        return;
      }
      await sdk.shared.set(keys.rsvp(id, who.id), paid
        ? { name: who.name, at: Date.now(), pending: true }
        : { name: who.name, at: Date.now() });
    } catch (e) {
      await undo(id);
      throw e;
    }
    if (!paid) {
      await remember({ id: id, title: ev.title, start: ev.start, role: "going" });
      toast("You're going! See you there.");
      eventView(id);
      return;
    }
    await payAndConfirm(s, {});
  }

  async function undo(id) {
    await sdk.shared.incr(keys.taken(id), -1).catch(function () {});
  }

  // Pay for a held spot; only a "paid" payment turns it into a ticket.
  async function payAndConfirm(s) {
    var id = s.id, ev = s.ev, who = s.who;
    var res;
    try {
      res = await sdk.requestPayment({ amount: ev.price, currency: ev.currency, description: clip("Ticket: " + ev.title, PAY_TEXT_MAX), ref: keys.ticketRef(id) });
    } catch (e) {
      if (e.code === "timeout") {
        // The payment may still go through; keep the spot and let the member decide.
        eventView(id, { notice: "Plaza couldn't confirm your payment in time. Your spot is still held.", error: true });
        return;
      }
      await release(s).catch(function () {});
      eventView(id, {
        notice: e.code === "consent_denied"
          ? "Payment canceled: no ticket bought, and your spot was released."
          : "No ticket bought, and your spot was released. " + errText(e, {
            unavailable: "Payments are turned off in this Plaza, so tickets can't be sold right now."
          }),
        error: true
      });
      return;
    }
    if (res && res.status === "pending") {
      // Plaza stopped waiting before the checkout settled: keep the spot.
      eventView(id, { notice: "Your payment hasn't settled yet. Your spot is still held.", error: true });
      return;
    }
    if (res && res.status === "paid") {
      // Plaza has written the receipt that makes the ticket; the RSVP stops being "pending".
      await sdk.shared.set(keys.rsvp(id, who.id), { name: who.name, at: Date.now() }).catch(function () {});
      await remember({ id: id, title: ev.title, start: ev.start, role: "going" });
      toast("Ticket paid. You're going!");
      eventView(id);
      return;
    }
    await release(s).catch(function () {});
    eventView(id, {
      notice: (res && res.status === "expired" ? "The checkout expired" : "Payment canceled") + ": no ticket bought, and your spot was released.",
      error: true
    });
  }

  // Give a held spot back: member counter to 0, one spot freed, record marked.
  async function release(s) {
    var id = s.id, who = s.who;
    try {
      await sdk.shared.incr(keys.taken(id), -1);
    } catch (e) {
      if (e.code === "conflict") return; // wasn't holding one after all
      throw e;
    }
    await sdk.shared.set(keys.rsvp(id, who.id), { canceled: true, at: Date.now() });
  }

  async function cancelRsvp(s) {
    await release(s);
    await forget(s.id);
    toast("RSVP canceled. Your spot is free for someone else.");
    eventView(s.id);
  }

  async function cancelEvent(s) {
    var fresh = await sdk.shared.get(keys.event(s.id));
    if (!validEvent(fresh)) { notFound(); return; }
    fresh.canceled = true;
    fresh.canceledAt = Date.now();
    await sdk.shared.set(keys.event(s.id), fresh);
    toast("Event canceled.");
    eventView(s.id);
  }

  /* ---------- start ---------- */

  // A card shared to a chat opens "#event=<id>".
  function route(params) {
    if (params.event !== undefined) eventView(params.event);
    else home();
  }

  kit.start(route, "Events runs inside Plaza. Open it from the Minis tab or from an event card in a chat.");
})();
