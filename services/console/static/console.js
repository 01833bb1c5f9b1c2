// The console's small script: live updates announced politely (never swapping what the
// person is reading: "n new cases — show"), and the keyboard shortcuts (letters only, read
// from event.key, so they work on Belgian AZERTY as on QWERTY; off when the person says so).
// No framework, no build step: served as is by the console. Settings come from data-*
// attributes (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  const body = document.body;
  const pollMs = Math.min(Number(body.dataset.pollMs) || 2000, 2000);
  const live = document.getElementById("live-region");

  function announce(text) {
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function fill(template, count) {
    return template.replace("{count}", String(count));
  }

  function rowsOf(container) {
    const found = new Map();
    container.querySelectorAll("tr[data-id]").forEach(function (tr) {
      found.set(tr.dataset.id, tr.dataset.v);
    });
    return found;
  }

  // A list of cases: fetch its rows, compare with those shown, offer to show the new ones.
  function watchList() {
    const table = document.getElementById("case-list");
    const news = document.getElementById("news");
    if (!table || !news) return;
    const rows = document.getElementById("case-rows");
    const text = document.getElementById("news-text");
    const show = document.getElementById("news-show");
    let waiting = null;
    let lastSaid = "";

    show.addEventListener("click", function () {
      if (!waiting) return;
      rows.innerHTML = waiting;
      waiting = null;
      lastSaid = "";
      news.hidden = true;
      table.querySelector("caption").setAttribute("tabindex", "-1");
      table.querySelector("caption").focus();
    });

    async function poll() {
      if (document.hidden) return; // a tab nobody looks at asks nothing
      try {
        const answer = await fetch(table.dataset.rowsUrl, {
          headers: { "X-Relais-Console": "live" }, credentials: "same-origin",
        });
        if (answer.status === 401) { window.location.reload(); return; }
        if (!answer.ok) return;
        const html = await answer.text();
        const probe = document.createElement("tbody");
        probe.innerHTML = html;
        const before = rowsOf(rows);
        const after = rowsOf(probe);
        let added = 0, changed = 0, gone = 0;
        after.forEach(function (v, id) {
          if (!before.has(id)) added += 1;
          else if (before.get(id) !== v) changed += 1;
        });
        before.forEach(function (_v, id) { if (!after.has(id)) gone += 1; });
        if (added + changed + gone === 0) {
          waiting = null; news.hidden = true; lastSaid = ""; return;
        }
        waiting = html;
        const parts = [];
        if (added) parts.push(fill(news.dataset.new, added));
        if (changed) parts.push(fill(news.dataset.changed, changed));
        if (gone) parts.push(fill(news.dataset.gone, gone));
        const said = parts.join(" · ");
        text.textContent = said;
        news.hidden = false;
        if (said !== lastSaid) { announce(said); lastSaid = said; }
      } catch (e) { /* the next round tries again */ }
    }
    window.setInterval(poll, pollMs);
  }

  // A case: ask whether it changed; if so, say so and offer the fresh version.
  function watchCase() {
    const news = document.getElementById("case-news");
    if (!news) return;
    let told = false;
    async function poll() {
      if (told || document.hidden) return;
      try {
        const answer = await fetch(news.dataset.newsUrl, {
          headers: { "X-Relais-Console": "live" }, credentials: "same-origin",
        });
        if (!answer.ok) return;
        const state = await answer.json();
        if (state.v !== news.dataset.v) {
          news.hidden = false;
          told = true;
          announce(news.querySelector("p").textContent);
        }
      } catch (e) { /* the next round tries again */ }
    }
    window.setInterval(poll, pollMs);
  }

  // On a case: say I am here (viewing, or replying while I type), show who else is, keep
  // my draft on the server as I write, and say I left when the page goes away.
  function collaborate() {
    const box = document.getElementById("presence");
    if (!box) return;
    const people = document.getElementById("presence-people");
    const csrf = box.dataset.csrf;
    let lastTyped = 0;
    let shown = signature();

    function signature() {
      const p = people.querySelector("[data-people]");
      return p ? p.dataset.people : "";
    }
    function form(fields) {
      const data = new FormData();
      data.append("csrf", csrf);
      Object.keys(fields).forEach(function (k) { data.append(k, fields[k]); });
      return data;
    }
    async function renew() {
      if (document.hidden) return;
      const activity = Date.now() - lastTyped < 15000 ? "replying" : "viewing";
      try {
        const answer = await fetch(box.dataset.presenceUrl, {
          method: "POST", body: form({ activity: activity }),
          headers: { "X-Relais-Console": "live" }, credentials: "same-origin",
        });
        if (!answer.ok) return;
        people.innerHTML = await answer.text();
        const now = signature();
        if (now !== shown) { shown = now; announce(people.textContent.trim()); }
      } catch (e) { /* the next round tries again */ }
    }
    window.setInterval(renew, 5000);
    window.addEventListener("pagehide", function () {
      navigator.sendBeacon(box.dataset.leaveUrl, form({}));
    });

    if (!box.dataset.draftUrl) return;
    ["reply", "note"].forEach(function (kind) {
      const area = document.getElementById(kind + "-text");
      const state = document.getElementById(kind + "-draft-state");
      if (!area) return;
      let timer = null;
      // Sending the reply (or note) removes the draft: a save still waiting must not bring
      // it back.
      if (area.form) area.form.addEventListener("submit", function () { window.clearTimeout(timer); });
      area.addEventListener("input", function () {
        const first = Date.now() - lastTyped >= 15000;
        lastTyped = Date.now();
        if (first) renew();
        window.clearTimeout(timer);
        timer = window.setTimeout(async function () {
          try {
            const answer = await fetch(box.dataset.draftUrl, {
              method: "POST", body: form({ kind: kind, text: area.value }),
              headers: { "X-Relais-Console": "live" }, credentials: "same-origin",
            });
            if (answer.ok && state) state.textContent = box.dataset.saved;
          } catch (e) { /* kept in the page; saved at the next pause */ }
        }, 1500);
      });
    });
  }

  // The shortcut sheet and the shortcuts.
  function shortcuts() {
    const sheet = document.getElementById("shortcuts-sheet");
    const open = document.getElementById("shortcuts-open");
    if (open && sheet) {
      open.addEventListener("click", function () { sheet.showModal(); });
    }
    if (body.dataset.shortcuts !== "on") return;
    let selected = -1;

    function caseRows() {
      return Array.from(document.querySelectorAll("#case-rows tr[data-id]"));
    }
    function select(index) {
      const rows = caseRows();
      if (!rows.length) return;
      selected = Math.max(0, Math.min(rows.length - 1, index));
      rows.forEach(function (tr) { tr.classList.remove("selected"); });
      const row = rows[selected];
      row.classList.add("selected");
      const link = row.querySelector("a.case-link");
      if (link) link.focus();
    }
    function click(id) {
      const el = document.getElementById(id);
      if (el) { el.click(); return true; }
      return false;
    }
    function focus(id) {
      const el = document.getElementById(id);
      if (el) { el.focus(); return true; }
      return false;
    }

    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      if (sheet && sheet.open && event.key !== "Escape") return;
      let handled = true;
      switch (event.key) {
        case "?": case "h": if (sheet) sheet.showModal(); break;
        case "j": select(selected + 1); break;
        case "k": select(selected - 1); break;
        case "o": {
          const row = caseRows()[selected];
          const link = row && row.querySelector("a.case-link");
          if (link) link.click(); else handled = false;
          break;
        }
        case "c": {
          const row = caseRows()[selected];
          const claim = row && row.querySelector("button.claim");
          if (claim) claim.click(); else handled = click("action-claim");
          break;
        }
        case "r": handled = focus("reply-text"); break;
        case "n": handled = focus("note-text"); break;
        case "s": handled = focus("search"); break;
        case "u": handled = click("news-show") || click("case-reload"); break;
        default: handled = false;
      }
      if (handled) event.preventDefault();
    });
  }

  watchList();
  watchCase();
  collaborate();
  shortcuts();
})();
