/*
 * Lead list: "select all" and the count of selected leads for bulk actions.
 * Checkboxes carry data-bulk-item (and form="bulk-form"); the header box data-bulk-all.
 */
(function () {
  "use strict";

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-bulk-item]"));
  }

  function refresh() {
    var count = items().filter(function (box) { return box.checked; }).length;
    var label = document.querySelector("[data-bulk-count]");
    if (label) {
      label.textContent = count + " selected";
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-bulk-all]")) {
      items().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches && (target.matches("[data-bulk-all]") || target.matches("[data-bulk-item]"))) {
      refresh();
    }
  });

  document.addEventListener("DOMContentLoaded", refresh);
})();
