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
// On a phone the partner filters start folded away, so the first partners are on screen.
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 760px)").matches) return;
  document.querySelectorAll("details.filter-panel[open]").forEach(function (el) { el.removeAttribute("open"); });
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
