/* Split the bill — a Plaza mini-program.
 *
 * Member storage (only this member):
 *   bills          [{id, title, currency, people, total, updated}], newest first: the list
 *   bill:<id>      {v, id, title, currency, people: [{id, name}],
 *                   expenses: [{id, desc, amount, payer, among: [person id]}], next, created, updated, sharedAt}
 * Shared storage (every member of the organisation can read it):
 *   result:<id>    a read-only snapshot written when the owner shares the result:
 *                  {v, title, currency, total, people: [{name, paid, share, net}],
 *                   transfers: [{from, to, amount}], at}  or {v, deleted: true, at}
 *
 * Money is always an integer number of minor units (cents); nothing is ever
 * added up in floating point. A card shared to a chat opens "#bill=<id>":
 * the owner gets their bill back to edit, everyone else the snapshot.
 */
(function () {
  "use strict";

  var sdk = window.plaza;

  var ID_RE = /^[a-z0-9]{4,32}$/;
  var SHARE_TITLE_MAX = 80;   // Plaza refuses longer card titles
  // Currencies with two decimals, so "minor units" are always cents.
  var CURRENCIES = ["usd", "eur", "gbp", "chf", "cad", "aud", "nzd", "sek", "nok", "dkk", "pln", "cny", "inr", "sgd", "hkd", "mxn", "brl", "zar"];
  var MAX_PEOPLE = 30;
  var MAX_EXPENSES = 300;
  var MAX_AMOUNT = 100000000;   // 1,000,000.00 per expense
  var MAX_BILLS = 100;

  /* ---------- shared kit (minis/sdk/kit.js) ---------- */

  var kit = window.plazaKit;
  var h = kit.h, append = kit.append, icon = kit.icon, toast = kit.toast, busy = kit.busy, errText = kit.errText;
  var newId = kit.newId, clip = kit.clip, runes = kit.runes, setView = kit.setView, loading = kit.loading;
  var current = kit.current;

  kit.configure({
    name: "Split the bill",
    errors: {
      too_large: "This bill is too big to save. Split it into two bills.",
      quota_exceeded: "Your Split the bill storage is full. Delete some old bills.",
      not_found: "Not found.",
      forbidden: "Only the person who shared this bill can change its shared result.",
      conflict: "Something went wrong. Try again."
    }
  });
  kit.addIcons({
    arrow: '<path d="M4 12h15M14 6l6 6-6 6"/>',
    receipt: '<path d="M6 3h12v18l-2-1.5-2 1.5-2-1.5-2 1.5-2-1.5L6 21z"/><path d="M9 8h6M9 12h4"/>',
    edit: '<path d="M4 20h4L19 9l-4-4L4 16z"/><path d="M13.5 6.5l4 4"/>',
    trash: '<path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3"/>'
  });

  /* ---------- money and formatting ---------- */

  var fmtDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  var fmtDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  var fmtNum = new Intl.NumberFormat();
  var plural = new Intl.PluralRules("en");
  var moneyFmts = {};
  function money(minor, cur) {
    cur = (cur || "usd").toUpperCase();
    if (!moneyFmts[cur]) {
      try { moneyFmts[cur] = new Intl.NumberFormat(undefined, { style: "currency", currency: cur }); }
      catch (e) { moneyFmts[cur] = { format: function (n) { return n.toFixed(2) + " " + cur; } }; }
    }
    return moneyFmts[cur].format(minor / 100);
  }
  function count(n, one, many) { return fmtNum.format(n) + " " + (plural.select(n) === "one" ? one : many); }
  // "12.50", "12,50", "1,234.50", "1.234,50" or "1 234" → cents, never through
  // floating point. A lone separator followed by one or two digits is the
  // decimal point; separators followed by groups of three are thousands.
  function parseMoney(s) {
    s = String(s).trim().replace(/[\s\u00a0'\u2019]/g, "");
    var whole, frac = "";
    var m;
    if (/^\d+$/.test(s)) whole = s;
    else if ((m = /^(\d+)[.,](\d{1,2})$/.exec(s))) { whole = m[1]; frac = m[2]; }
    else if ((m = /^(\d{1,3}(?:([.,])\d{3})+)(?:([.,])(\d{1,2}))?$/.exec(s)) && m[2] !== m[3]) {
      whole = m[1].split(m[2]).join("");
      frac = m[4] || "";
    } else return null;
    whole = whole.replace(/^0+(?=\d)/, "");
    if (whole.length > 9) return null;
    return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
  }
  function plain(minor) { return Math.floor(minor / 100) + "." + String(minor % 100).padStart(2, "0"); }
  function guessCurrency() {
    var region = ((navigator.language || "").split("-")[1] || "").toUpperCase();
    var map = { GB: "gbp", CH: "chf", CA: "cad", AU: "aud", NZ: "nzd", SE: "sek", NO: "nok", DK: "dkk", PL: "pln", CN: "cny", IN: "inr", SG: "sgd", HK: "hkd", MX: "mxn", BR: "brl", ZA: "zar" };
    var euro = "AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK".split(" ");
    if (map[region]) return map[region];
    if (euro.indexOf(region) >= 0) return "eur";
    return "usd";
  }
  function tidy(s) { return String(s || "").trim().replace(/\s+/g, " "); }

  /* ---------- the arithmetic ---------- */

  // Each expense is split equally in whole cents: everyone owes
  // floor(amount / k) and the leftover cents (fewer than k) go one each to
  // the first people in the bill's order, so the shares add up exactly.
  function splitShares(amount, among) {
    var k = among.length;
    var base = Math.floor(amount / k);
    var rest = amount - base * k;
    return among.map(function (_, i) { return base + (i < rest ? 1 : 0); });
  }

  // paid, share and net (= paid − share) in cents for every person.
  function balances(bill) {
    var order = {};
    bill.people.forEach(function (p, i) { order[p.id] = i; });
    var rows = bill.people.map(function (p) { return { id: p.id, name: p.name, paid: 0, share: 0, net: 0 }; });
    var byId = {};
    rows.forEach(function (r) { byId[r.id] = r; });
    bill.expenses.forEach(function (x) {
      var among = x.among.filter(function (id) { return byId[id]; }).sort(function (a, b) { return order[a] - order[b]; });
      if (!byId[x.payer] || !among.length) return;
      byId[x.payer].paid += x.amount;
      splitShares(x.amount, among).forEach(function (s, i) { byId[among[i]].share += s; });
    });
    rows.forEach(function (r) { r.net = r.paid - r.share; });
    return rows;
  }

  /* Who pays whom. Finding the true minimum number of transfers is a hard
     problem in general (it means splitting people into as many groups that
     sum to zero as possible), so we use a greedy rule that is optimal or
     close to it for real bills and never needs more than n − 1 transfers:

       1. Pairs first: a debtor who owes exactly what some creditor is owed
          pays that creditor, settling two people in one transfer.
       2. Then repeatedly the largest debtor pays the largest creditor the
          smaller of the two amounts. Each transfer settles at least one of
          them completely, so with n people who aren't square there are at
          most n − 1 transfers.

     Ties are broken by the order people were added, so the same bill always
     gives the same answer. Everything is in integer cents. */
  function settle(rows) {
    var order = {};
    rows.forEach(function (r, i) { order[r.id] = i; });
    var debtors = rows.filter(function (r) { return r.net < 0; }).map(function (r) { return { id: r.id, name: r.name, left: -r.net }; });
    var creditors = rows.filter(function (r) { return r.net > 0; }).map(function (r) { return { id: r.id, name: r.name, left: r.net }; });
    var out = [];
    function pay(d, c, amount) {
      out.push({ from: d.name, fromId: d.id, to: c.name, toId: c.id, amount: amount });
      d.left -= amount;
      c.left -= amount;
    }
    debtors.forEach(function (d) {
      var c = creditors.find(function (c) { return c.left > 0 && c.left === d.left; });
      if (c) pay(d, c, d.left);
    });
    function biggest(list) {
      return list.filter(function (x) { return x.left > 0; })
        .sort(function (a, b) { return b.left - a.left || order[a.id] - order[b.id]; })[0];
    }
    for (var guard = 0; guard < rows.length * 2; guard++) {
      var d = biggest(debtors), c = biggest(creditors);
      if (!d || !c) break;
      pay(d, c, Math.min(d.left, c.left));
    }
    return out;
  }

  function total(bill) { return bill.expenses.reduce(function (a, x) { return a + x.amount; }, 0); }

  // The card title: "Dinner: Ben owes Ana $22.50, Chen owes Ana $14.99",
  // as many transfers as fit in Plaza's 80 characters, then "+2 more".
  function summary(title, transfers, cur) {
    if (!transfers.length) return clip(title, SHARE_TITLE_MAX - 19) + ": everyone's square";
    var parts = transfers.map(function (t) { return t.from + " owes " + t.to + " " + money(t.amount, cur); });
    var out = clip(title, 32) + ": ";
    for (var i = 0; i < parts.length; i++) {
      var more = parts.length - i - 1;
      var tail = more ? " +" + more + " more" : "";
      var next = out + (i ? ", " : "") + parts[i];
      if (runes(next + tail) > SHARE_TITLE_MAX) {
        var left = " +" + (parts.length - i) + " more";
        if (i) return out + left;
        return clip(next, SHARE_TITLE_MAX - runes(tail)) + tail;
      }
      out = next;
    }
    return out;
  }

  /* ---------- storage ---------- */

  var storageOK = true;   // false once the member said no: bills then live only in this page

  async function loadIndex() {
    try {
      var list = await sdk.storage.get("bills");
      return { list: Array.isArray(list) ? list.filter(function (b) { return b && ID_RE.test(b.id); }) : [] };
    } catch (e) {
      if (e.code === "consent_denied") storageOK = false;
      return { list: [], error: e };
    }
  }
  async function saveBill(bill) {
    bill.updated = Date.now();
    if (!storageOK) return false;
    await sdk.storage.set("bill:" + bill.id, bill);
    var idx = (await loadIndex()).list.filter(function (b) { return b.id !== bill.id; });
    idx.unshift({ id: bill.id, title: bill.title, currency: bill.currency, people: bill.people.length, total: total(bill), updated: bill.updated });
    await sdk.storage.set("bills", idx.slice(0, MAX_BILLS));
    return true;
  }
  function validBill(b) {
    return b && typeof b === "object" && ID_RE.test(b.id) && typeof b.title === "string" &&
      Array.isArray(b.people) && Array.isArray(b.expenses);
  }

  /* ---------- views ---------- */

  function backButton() { return kit.backBar("Bills", home); }
  function fieldError(id) { return h("p", { class: "field__error", id: id, role: "alert", hidden: true }); }
  function setError(input, err, msg) {
    if (msg) { err.textContent = msg; err.hidden = false; input.setAttribute("aria-invalid", "true"); input.focus(); }
    else { err.hidden = true; input.removeAttribute("aria-invalid"); }
  }

  /* Home: my bills */
  async function home() {
    loading();
    var token = kit.token();
    var idx = await loadIndex();
    if (!current(token)) return;
    var nodes = [h("div", { class: "head" },
      h("h1", null, "Bills"),
      h("button", { type: "button", class: "btn btn--primary btn--small", onclick: function () { newBillView(); } }, icon("plus"), "New bill"))];
    if (idx.error) {
      nodes.push(h("div", { class: "notice notice--warn" }, h("p", null, idx.error.code === "consent_denied"
        ? "You said no to storage, so bills aren't saved: a bill lasts until you close Split the bill. To keep them, allow storage under Me → Mini-programs."
        : "Your bills couldn't be loaded. " + errText(idx.error))));
    }
    if (!idx.list.length) {
      nodes.push(h("div", { class: "empty card" }, icon("receipt", 64),
        h("p", null, "No bills yet. Add who paid for what, and see who owes whom."),
        h("button", { type: "button", class: "btn btn--primary", onclick: function () { newBillView(); } }, "Split a bill")));
    } else {
      nodes.push(h("h2", { class: "section-title" }, "Your bills"),
        h("ul", { class: "list" }, idx.list.map(function (b) {
          return h("li", null, h("button", { type: "button", class: "cell", onclick: function () { billView(b.id); } },
            h("span", { class: "cell__icon" }, icon("receipt")),
            h("span", { class: "cell__body" },
              h("span", { class: "cell__title" }, b.title || "Bill"),
              h("span", { class: "cell__sub" }, count(b.people || 0, "person", "people") + " · " + money(b.total || 0, b.currency) + " · " + fmtDate.format(new Date(b.updated || Date.now())))),
            h("span", { class: "chev" }, icon("chev"))));
        })));
    }
    setView(nodes);
  }

  /* New bill: a name and a currency; people and expenses come next */
  function newBillView() {
    var title = h("input", { type: "text", id: "title", class: "field__input", maxlength: 60, autocomplete: "off", placeholder: "Dinner at Roma", "aria-describedby": "title-error" });
    var titleErr = fieldError("title-error");
    var cur = h("select", { id: "currency", class: "field__input" },
      CURRENCIES.map(function (c) { return h("option", { value: c }, c.toUpperCase()); }));
    cur.value = guessCurrency();
    var submit = h("button", { type: "submit", class: "btn btn--primary btn--block" }, "Next: add people");
    var form = h("form", { class: "card form", novalidate: true },
      h("div", { class: "field" }, h("label", { class: "field__label", for: "title" }, "What's it for?"), title, titleErr),
      h("div", { class: "field" }, h("label", { class: "field__label", for: "currency" }, "Currency"), cur),
      submit);
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var t = tidy(title.value);
      if (!t) { setError(title, titleErr, "Give the bill a name, like \u201cWeekend in Porto\u201d."); return; }
      setError(title, titleErr, null);
      var bill = { v: 1, id: newId(12), title: t, currency: cur.value, people: [], expenses: [], next: 1, created: Date.now(), updated: Date.now() };
      busy(submit, true);
      try { await saveBill(bill); }
      catch (e) {
        if (e.code === "consent_denied") storageOK = false;
        else { busy(submit, false); setError(title, titleErr, "The bill wasn't saved. " + errText(e)); return; }
      }
      editor(bill);
    });
    setView([backButton(), h("h1", null, "New bill"), form]);
    title.focus();
  }

  async function billView(id) {
    loading();
    var token = kit.token();
    var bill = null;
    try { bill = await sdk.storage.get("bill:" + id); }
    catch (e) { if (e.code === "consent_denied") storageOK = false; }
    if (!current(token)) return;
    if (validBill(bill)) { editor(bill); return; }
    resultView(id);
  }

  /* The bill: people, expenses, balances and transfers, saved on every change */
  function editor(bill) {
    var people = h("div");
    var expenses = h("div");
    var result = h("div");
    var savedLine = h("p", { class: "saved", role: "status" }, storageOK ? "" : "Not saved: storage is off for Split the bill.");
    var editing = null;   // the expense id being edited, if any

    async function commit(msg) {
      renderAll();
      try {
        if (bill.sharedAt) await sdk.shared.set("result:" + bill.id, snapshot(bill)).catch(function () {});
        if (await saveBill(bill)) savedLine.textContent = msg ? msg + " Saved." : "Saved.";
        else savedLine.textContent = (msg ? msg + " " : "") + "Not saved: storage is off for Split the bill.";
      } catch (e) {
        if (e.code === "consent_denied") storageOK = false;
        savedLine.textContent = "";
        toast("Not saved. " + errText(e, { denied: "You said no to storage, so this bill lasts only until you close Split the bill." }), true);
      }
    }
    function person(id) { return bill.people.find(function (p) { return p.id === id; }); }
    function nameOf(id) { var p = person(id); return p ? p.name : "?"; }
    function usedBy(id) { return bill.expenses.filter(function (x) { return x.payer === id || x.among.indexOf(id) >= 0; }).length; }

    /* People */
    function renderPeople(focusAdd) {
      people.textContent = "";
      var input = h("input", { type: "text", id: "person", class: "field__input", maxlength: 40, autocomplete: "off", placeholder: "Name", "aria-describedby": "person-help person-error" });
      var err = fieldError("person-error");
      var addBtn = h("button", { type: "submit", class: "btn" }, icon("plus"), "Add");
      var renaming = null;
      var label = h("label", { class: "field__label", for: "person" }, "Add a person");
      var cancelRename = h("button", { type: "button", class: "btn btn--ghost btn--small", hidden: true }, "Cancel");
      var form = h("form", { class: "field", novalidate: true },
        label,
        h("div", { class: "inline-form" }, input, addBtn),
        h("span", { class: "field__help", id: "person-help" }, bill.people.length < 2 ? "Add everyone who shares the costs, yourself included." : "Tap a name to rename it."),
        err, h("div", null, cancelRename));
      function startRename(p) {
        renaming = p;
        label.textContent = "Rename " + p.name;
        input.value = p.name;
        addBtn.textContent = "Save";
        cancelRename.hidden = false;
        input.focus();
        input.select();
      }
      cancelRename.addEventListener("click", function () { renderPeople(true); });
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var name = tidy(input.value);
        if (!name) { setError(input, err, "Type a name."); return; }
        var clash = bill.people.find(function (p) { return p.name.toLowerCase() === name.toLowerCase() && p !== renaming; });
        if (clash) { setError(input, err, name + " is already on the bill. Add a surname or initial to tell them apart."); return; }
        if (renaming) {
          renaming.name = name;
          commit("Renamed to " + name + ".");
          renderPeople(true);
          return;
        }
        if (bill.people.length >= MAX_PEOPLE) { setError(input, err, "A bill can have up to " + MAX_PEOPLE + " people."); return; }
        bill.people.push({ id: "p" + (bill.next++), name: name });
        commit(name + " added.");
        renderPeople(true);
      });

      var chips = h("ul", { class: "chips", "aria-label": "People on this bill" }, bill.people.map(function (p) {
        var x = h("button", { type: "button", class: "chip__x", "aria-label": "Remove " + p.name }, icon("x"));
        x.addEventListener("click", function () {
          var n = usedBy(p.id);
          if (n) { toast(p.name + " is in " + count(n, "expense", "expenses") + ". Edit or delete those first.", true); return; }
          bill.people = bill.people.filter(function (q) { return q !== p; });
          commit(p.name + " removed.");
          renderPeople(true);
        });
        return h("li", { class: "chip" },
          h("button", { type: "button", class: "chip__name", "aria-label": "Rename " + p.name, onclick: function () { startRename(p); } }, p.name), x);
      }));
      append(people, h("section", { class: "card", "aria-labelledby": "people-h" },
        h("h2", { id: "people-h" }, "People", h("span", { class: "tag" }, fmtNum.format(bill.people.length))),
        bill.people.length ? chips : h("p", { class: "muted" }, "Nobody yet."),
        form));
      if (focusAdd) input.focus();
    }

    /* Expenses: list plus the add/edit form */
    function renderExpenses(focusForm) {
      expenses.textContent = "";
      var sec = h("section", { class: "card", "aria-labelledby": "exp-h" },
        h("h2", { id: "exp-h" }, "Expenses", bill.expenses.length ? h("span", { class: "tag" }, money(total(bill), bill.currency)) : null));
      if (bill.expenses.length) {
        append(sec, h("ul", { class: "expenses" }, bill.expenses.map(function (x) {
          var among = x.among.length === bill.people.length ? "everyone" : x.among.map(nameOf).join(", ");
          var edit = h("button", { type: "button", class: "icon-btn", "aria-label": "Edit " + x.desc }, icon("edit"));
          edit.addEventListener("click", function () { editing = x.id; renderExpenses(true); });
          var del = h("button", { type: "button", class: "icon-btn", "aria-label": "Delete " + x.desc }, icon("trash"));
          del.addEventListener("click", function () {
            bill.expenses = bill.expenses.filter(function (y) { return y !== x; });
            if (editing === x.id) editing = null;
            commit("\u201c" + x.desc + "\u201d deleted.");
            var h2 = document.getElementById("exp-h");
            if (h2) { h2.setAttribute("tabindex", "-1"); h2.focus(); }
          });
          return h("li", { class: "expense" + (editing === x.id ? " expense--editing" : "") },
            h("span", { class: "expense__body" },
              h("span", { class: "expense__title" }, x.desc),
              h("span", { class: "expense__sub" }, nameOf(x.payer) + " paid · for " + among)),
            h("span", { class: "expense__amt" }, money(x.amount, bill.currency)),
            h("span", { class: "mini-actions" }, edit, del));
        })));
      } else if (bill.people.length >= 2) {
        append(sec, h("p", { class: "muted" }, "No expenses yet. Add the first one below."));
      }
      if (bill.people.length < 2) {
        append(sec, h("p", { class: "muted" }, "Add at least two people above, then the expenses."));
      } else {
        append(sec, expenseForm(focusForm));
      }
      append(expenses, sec);
    }

    function expenseForm(focus) {
      var x = editing ? bill.expenses.find(function (y) { return y.id === editing; }) : null;
      if (!x) editing = null;
      var desc = h("input", { type: "text", id: "desc", class: "field__input", maxlength: 60, autocomplete: "off", placeholder: "Dinner, taxi, tickets…", "aria-describedby": "desc-error" });
      var descErr = fieldError("desc-error");
      var amount = h("input", { type: "text", id: "amount", class: "field__input", inputmode: "decimal", autocomplete: "off", placeholder: "0.00", "aria-describedby": "amount-error" });
      var amountErr = fieldError("amount-error");
      var payer = h("select", { id: "payer", class: "field__input" }, bill.people.map(function (p) { return h("option", { value: p.id }, p.name); }));
      var boxes = bill.people.map(function (p) {
        var cb = h("input", { type: "checkbox", value: p.id, checked: x ? x.among.indexOf(p.id) >= 0 : true });
        return { p: p, cb: cb, el: h("label", { class: "check" }, cb, h("span", null, p.name)) };
      });
      var amongErr = fieldError("among-error");
      var all = h("button", { type: "button", class: "btn btn--ghost btn--small" }, "Everyone");
      all.addEventListener("click", function () { boxes.forEach(function (b) { b.cb.checked = true; }); });
      var none = h("button", { type: "button", class: "btn btn--ghost btn--small" }, "Nobody");
      none.addEventListener("click", function () { boxes.forEach(function (b) { b.cb.checked = false; }); });
      var submit = h("button", { type: "submit", class: "btn btn--primary" }, x ? "Save changes" : "Add expense");
      var cancel = x ? h("button", { type: "button", class: "btn" }, "Cancel") : null;
      if (cancel) cancel.addEventListener("click", function () { editing = null; renderExpenses(true); });
      if (x) {
        desc.value = x.desc;
        amount.value = plain(x.amount);
        payer.value = x.payer;
      } else if (lastPayer && person(lastPayer)) {
        payer.value = lastPayer;
      }

      var form = h("form", { class: "form", novalidate: true, "aria-labelledby": "form-h" },
        h("h3", { id: "form-h", class: "section-title", style: "padding-left:0" }, x ? "Edit expense" : "Add an expense"),
        h("div", { class: "field" }, h("label", { class: "field__label", for: "desc" }, "What was it?"), desc, descErr),
        h("div", { class: "row2" },
          h("div", { class: "field" }, h("label", { class: "field__label", for: "amount" }, "Amount"),
            h("div", { class: "money" }, amount, h("span", { class: "unit", "aria-hidden": "true" }, bill.currency.toUpperCase())), amountErr),
          h("div", { class: "field" }, h("label", { class: "field__label", for: "payer" }, "Paid by"), payer)),
        h("fieldset", { class: "field", "aria-describedby": "among-help among-error" },
          h("legend", null, "Split equally among"),
          h("div", { class: "checks" }, boxes.map(function (b) { return b.el; })),
          h("div", { class: "legend-row" },
            h("span", { class: "field__help", id: "among-help" }, "Odd cents go to the first people listed."),
            h("span", { class: "mini-actions" }, all, none)),
          amongErr),
        h("div", { class: "actions" }, cancel, submit));

      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var d = tidy(desc.value);
        var a = parseMoney(amount.value);
        var among = boxes.filter(function (b) { return b.cb.checked; }).map(function (b) { return b.p.id; });
        setError(desc, descErr, null); setError(amount, amountErr, null); amongErr.hidden = true;
        if (!among.length) { amongErr.textContent = "Tick at least one person to share it."; amongErr.hidden = false; boxes[0].cb.focus(); }
        if (a === null || a <= 0) setError(amount, amountErr, amount.value.trim() ? "Type the amount like 12.50." : "How much was it?");
        else if (a > MAX_AMOUNT) setError(amount, amountErr, "That's more than " + money(MAX_AMOUNT, bill.currency) + ". Split it into smaller expenses.");
        if (!d) setError(desc, descErr, "Say what it was for.");
        if (!d || a === null || a <= 0 || a > MAX_AMOUNT || !among.length) return;
        lastPayer = payer.value;
        if (x) {
          x.desc = d; x.amount = a; x.payer = payer.value; x.among = among;
          editing = null;
          commit("\u201c" + d + "\u201d updated.");
        } else {
          if (bill.expenses.length >= MAX_EXPENSES) { toast("A bill can hold up to " + MAX_EXPENSES + " expenses. Start a new bill.", true); return; }
          bill.expenses.push({ id: "x" + (bill.next++), desc: d, amount: a, payer: payer.value, among: among });
          commit("\u201c" + d + "\u201d added.");
        }
        var f = document.getElementById("desc");
        if (f) f.focus();
      });
      if (focus) setTimeout(function () { desc.focus(); }, 0);
      return form;
    }
    var lastPayer = null;

    /* Balances and transfers */
    function renderResult() {
      result.textContent = "";
      if (!bill.expenses.length || bill.people.length < 2) return;
      var rows = balances(bill);
      var transfers = settle(rows);
      append(result, resultCards(bill.currency, total(bill), rows, transfers));
      var shareBtn = h("button", { type: "button", class: "btn btn--primary" }, icon("share"), "Share result");
      shareBtn.addEventListener("click", function () { shareResult(bill, rows, transfers, shareBtn); });
      append(result, h("div", { class: "actions" }, shareBtn));
    }

    function renderAll() {
      renderPeople(false);
      renderExpenses(false);
      renderResult();
    }

    var del = h("button", { type: "button", class: "btn btn--danger" }, icon("trash"), "Delete bill");
    var confirmBox = h("div", { class: "confirm", role: "group", "aria-labelledby": "del-q", hidden: true });
    var yes = h("button", { type: "button", class: "btn btn--primary btn--danger btn--small" }, "Delete");
    var no = h("button", { type: "button", class: "btn btn--small" }, "Keep it");
    append(confirmBox, h("p", { id: "del-q" }, "Delete \u201c" + bill.title + "\u201d and all its expenses?"), h("div", { class: "row" }, yes, no));
    del.addEventListener("click", function () { confirmBox.hidden = false; del.hidden = true; no.focus(); });
    no.addEventListener("click", function () { confirmBox.hidden = true; del.hidden = false; del.focus(); });
    yes.addEventListener("click", async function () {
      busy(yes, true);
      try {
        if (storageOK) {
          await sdk.storage.remove("bill:" + bill.id);
          var idx = (await loadIndex()).list.filter(function (b) { return b.id !== bill.id; });
          await sdk.storage.set("bills", idx);
        }
        if (bill.sharedAt) await sdk.shared.set("result:" + bill.id, { v: 1, deleted: true, at: Date.now() }).catch(function () {});
        toast("Bill deleted.");
        home();
      } catch (e) {
        busy(yes, false);
        toast("The bill wasn't deleted. " + errText(e), true);
      }
    });

    setView([
      backButton(),
      h("div", { class: "bill-title" }, h("h1", null, bill.title)),
      h("p", { class: "sub" }, bill.currency.toUpperCase() + " · started " + fmtDate.format(new Date(bill.created || Date.now())) +
        (bill.sharedAt ? " · shared: the card shows your latest changes" : "")),
      savedLine,
      people, expenses, result,
      h("div", { class: "actions" }, del), confirmBox
    ]);
    renderAll();
  }

  // Total, balances and transfers: used by the editor and the shared snapshot.
  function resultCards(cur, sum, rows, transfers) {
    var max = Math.max.apply(null, rows.map(function (r) { return Math.abs(r.net); }).concat([1]));
    var bal = h("section", { class: "card", "aria-labelledby": "bal-h" },
      h("h2", { id: "bal-h" }, "Balances"),
      h("p", { class: "total" }, h("span", null, "Total spent"), h("b", null, money(sum, cur))),
      h("ul", { class: "balances" }, rows.map(function (r) {
        var kind = r.net > 0 ? "plus" : r.net < 0 ? "minus" : "zero";
        var text = r.net > 0 ? "gets back " + money(r.net, cur) : r.net < 0 ? "owes " + money(-r.net, cur) : "square";
        var w = (Math.abs(r.net) / max * 100).toFixed(1) + "%";
        return h("li", null,
          h("div", { class: "bal__line" },
            h("span", { class: "bal__name" }, r.name),
            h("span", { class: "bal__amt bal__amt--" + kind }, text)),
          h("div", { class: "twobar", "aria-hidden": "true" },
            h("span", null, r.net < 0 ? h("i", { class: "minus", style: "width:" + w }) : null),
            h("span", null, r.net > 0 ? h("i", { class: "plus", style: "width:" + w }) : null)),
          h("span", { class: "bal__sub" }, "Paid " + money(r.paid, cur) + " · share " + money(r.share, cur)));
      })));
    var tr = h("section", { class: "card", "aria-labelledby": "tr-h" },
      h("h2", { id: "tr-h" }, "Settle up"));
    if (!transfers.length) {
      append(tr, h("p", { class: "square" }, icon("check"), "Everyone's square. Nothing to pay."));
    } else {
      append(tr,
        h("p", { class: "muted small" }, count(transfers.length, "payment settles", "payments settle") + " everything."),
        h("ul", { class: "transfers" }, transfers.map(function (t) {
          return h("li", { class: "transfer" },
            h("span", { class: "transfer__who" },
              h("span", null, t.from), icon("arrow", 18), h("span", { class: "visually-hidden" }, " pays "), h("span", null, t.to)),
            h("span", { class: "transfer__amt" }, money(t.amount, cur)));
        })));
    }
    return [bal, tr];
  }

  // The read-only copy people who open the card see. Once a bill has been
  // shared, every change rewrites it so the card always shows the latest.
  function snapshot(bill) {
    var rows = balances(bill);
    return {
      v: 1, title: bill.title, currency: bill.currency, total: total(bill), at: Date.now(),
      people: rows.map(function (r) { return { name: r.name, paid: r.paid, share: r.share, net: r.net }; }),
      transfers: settle(rows).map(function (t) { return { from: t.from, to: t.to, amount: t.amount }; })
    };
  }

  async function shareResult(bill, rows, transfers, btn) {
    busy(btn, true);
    try {
      await sdk.shared.set("result:" + bill.id, snapshot(bill));
    } catch (e) {
      busy(btn, false);
      toast("Not shared. " + errText(e, {
        denied: "To share, Split the bill saves a read-only copy of the result that people in the chat can open. You said no to shared storage; allow it under Me → Mini-programs."
      }), true);
      return;
    }
    try {
      await sdk.share({ title: summary(bill.title, transfers, bill.currency), path: "#bill=" + bill.id });
      bill.sharedAt = Date.now();
      try { await saveBill(bill); } catch (e) { /* the share went out; the flag only matters for deleting */ }
      toast("Shared to the chat.");
    } catch (e) {
      if (e.code === "consent_denied") toast("Not shared.");
      else toast("Couldn't share the result. " + errText(e), true);
    } finally {
      busy(btn, false);
    }
  }

  /* Read-only result from a card */
  async function resultView(id) {
    if (!ID_RE.test(id)) { gone("This link doesn't point to a bill."); return; }
    loading();
    var token = kit.token();
    var snap;
    try { snap = await sdk.shared.get("result:" + id); }
    catch (e) {
      if (!current(token)) return;
      kit.loadFailed(e, function () { resultView(id); }, {
        back: backButton(),
        title: "Couldn't open the result",
        denied: "Split the bill needs shared storage to show a shared result. You said no; allow it under Me → Mini-programs and try again."
      });
      return;
    }
    if (!current(token)) return;
    if (snap && snap.deleted) { gone("Whoever shared this bill has deleted it."); return; }
    if (!snap || !Array.isArray(snap.people) || !Array.isArray(snap.transfers)) { gone(); return; }
    var cur = CURRENCIES.indexOf(snap.currency) >= 0 ? snap.currency : "usd";
    var rows = snap.people.map(function (p, i) {
      return { id: "s" + i, name: String(p.name || "?"), paid: p.paid | 0, share: p.share | 0, net: p.net | 0 };
    });
    setView([
      backButton(),
      h("h1", null, String(snap.title || "Bill")),
      h("p", { class: "sub" }, "Shared result · " + fmtDateTime.format(new Date(snap.at || Date.now())) + " · read-only"),
      resultCards(cur, snap.total | 0, rows, snap.transfers.map(function (t) {
        return { from: String(t.from), to: String(t.to), amount: t.amount | 0 };
      })),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "btn", onclick: function () { newBillView(); } }, icon("plus"), "Split your own bill"))
    ]);
  }

  function gone(why) {
    setView([backButton(), h("div", { class: "empty card" }, icon("receipt", 64),
      h("h1", null, "Bill not found"),
      h("p", null, why || "This bill doesn't exist. It may have been deleted, or the link is incomplete."),
      h("button", { type: "button", class: "btn btn--primary", onclick: function () { newBillView(); } }, "Split a bill"))]);
  }

  /* ---------- start ---------- */

  // A card shared to a chat opens "#bill=<id>".
  function route(params) {
    if (params.bill !== undefined) {
      if (ID_RE.test(params.bill)) billView(params.bill);
      else gone("This link doesn't point to a bill.");
    } else home();
  }

  // For checking the arithmetic outside Plaza (see the comment on settle).
  window.splitbillMath = { splitShares: splitShares, balances: balances, settle: settle, parseMoney: parseMoney, summary: summary };

  kit.start(route, "Split the bill runs inside Plaza. Open it from the Minis tab or from a card in a chat.");
})();
