// Patient pages: badges open on wide screens (a one-line summary on phones); focus an error summary.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 48rem)");
  function sync() {
    document.querySelectorAll("details.checks").forEach(function (details) {
      details.open = wide.matches;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    sync();
    wide.addEventListener("change", sync);
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  });
})();
