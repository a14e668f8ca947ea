// vigie: filter the dashboard's rows as one types. Without this script the
// filter form still works (the server filters on ?q=); with it, no reload.
(function () {
  "use strict";
  var input = document.querySelector("input[data-filter]");
  if (!input) { return; }
  var root = document.querySelector(input.getAttribute("data-filter"));
  var status = document.getElementById("filter-status");
  if (!root) { return; }
  function apply() {
    var q = input.value.trim().toLowerCase();
    var shown = 0, total = 0;
    root.querySelectorAll("section[data-defi]").forEach(function (sec) {
      var heading = sec.querySelector("h2, h3").textContent.toLowerCase();
      var inSection = 0;
      sec.querySelectorAll("tr[data-search]").forEach(function (tr) {
        total++;
        var match = q === "" || tr.getAttribute("data-search").indexOf(q) >= 0 || heading.indexOf(q) >= 0;
        tr.hidden = !match;
        if (match) { inSection++; shown++; }
      });
      sec.hidden = q !== "" && inSection === 0;
    });
    if (status) {
      status.textContent = q === "" ? "" : shown + " dépôt(s) sur " + total + " correspondent.";
    }
  }
  input.addEventListener("input", apply);
})();
