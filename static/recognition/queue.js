// The recommendation queue: "select every row on this page" (progressive enhancement; without it, tick rows one by one).
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    var form = document.getElementById(master.getAttribute("data-select-all"));
    if (!form) return;
    master.hidden = false;
    master.addEventListener("change", function () {
      form.querySelectorAll("input[name=recommendation]").forEach(function (box) { box.checked = master.checked; });
    });
  });
})();
