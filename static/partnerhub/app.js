// PartnerHub's own script: no inline handlers (the CSP forbids them), progressive enhancement only.
(function () {
  "use strict";
  // After an HTMX swap of a results region, tell screen readers and keyboard users where the update is.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "partner-table") {
      target.setAttribute("tabindex", "-1");
    }
  });
  // Close an open menu when Escape is pressed.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.switcher[open]").forEach(function (el) {
      el.removeAttribute("open");
      var summary = el.querySelector("summary");
      if (summary) summary.focus();
    });
  });
})();
// On a phone the filters start folded away, so the first rows are on screen; a panel that says what is wrong with a
// filter stays open, so the message is read.
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 760px)").matches) return;
  document.querySelectorAll("details.filter-panel[open]").forEach(function (el) {
    if (!el.querySelector(".error")) el.removeAttribute("open");
  });
})();
// Charts: a figure built on the server travels as JSON in data-figure (no inline script under our CSP);
// plotly.min.js is served from our own static files.
(function () {
  "use strict";
  function draw(root) {
    if (!window.Plotly) return;
    root.querySelectorAll("[data-figure]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var figure = JSON.parse(el.dataset.figure);
      window.Plotly.newPlot(el, figure.data, figure.layout, { displayModeBar: false, responsive: true });
      el.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.detail.target); });
})();
// A table wider than its box scrolls inside .table-wrap: the box takes keyboard focus (a region named for its
// table) so that a keyboard user can scroll it too; a box that fits is left out of the tab order. Boxes named in
// their template keep their own name.
(function () {
  "use strict";
  function nameFor(wrap) {
    var table = wrap.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var holder = wrap.closest("section, .card");
    var heading = holder && holder.querySelector("h2, h3");
    if (!heading) heading = document.querySelector("main h1");
    return heading ? heading.textContent.trim() + " (table)" : "Table";
  }
  function mark(root) {
    (root || document).querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.hasAttribute("tabindex") && !wrap.dataset.scrollMarked) return;  // named in its template
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.dataset.scrollMarked = wrap.hasAttribute("aria-label") ? "kept" : "named";
        if (wrap.dataset.scrollMarked === "named") wrap.setAttribute("aria-label", nameFor(wrap));
      } else if (wrap.dataset.scrollMarked) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        if (wrap.dataset.scrollMarked === "named") wrap.removeAttribute("aria-label");
        delete wrap.dataset.scrollMarked;
      }
    });
  }
  var pending = 0;
  document.addEventListener("DOMContentLoaded", function () { mark(document); });
  document.addEventListener("htmx:afterSwap", function () { mark(document); });
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () { mark(document); }, 150);
  });
})();
// On a phone the main navigation starts folded into its Menu button, so the page's own content is on the first
// screen; without this script (or on a wider screen) it stays open.
(function () {
  "use strict";
  var phone = window.matchMedia("(max-width: 760px)");
  function fold() {
    document.querySelectorAll("details.navmenu").forEach(function (el) {
      if (phone.matches) el.removeAttribute("open"); else el.setAttribute("open", "");
    });
  }
  fold();
  phone.addEventListener("change", fold);
  document.addEventListener("keydown", function (event) {  // Escape closes the open menu, as it does the others
    if (event.key !== "Escape" || !phone.matches) return;
    document.querySelectorAll("details.navmenu[open]").forEach(function (el) {
      el.removeAttribute("open");
      var summary = el.querySelector("summary");
      if (summary) summary.focus();
    });
  });
})();
