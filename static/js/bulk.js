/*
 * Bulk bars (lead list, tasks): "select all" and the count of selected rows for bulk actions.
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

  // The bulk bar shows only the fields the chosen action uses (data-bulk-for lists them).
  function showFieldsFor(select) {
    var form = select.form;
    if (!form) return;
    form.querySelectorAll("[data-bulk-for]").forEach(function (field) {
      var wanted = field.getAttribute("data-bulk-for").split(" ").indexOf(select.value) !== -1;
      field.hidden = !wanted;
      field.disabled = !wanted;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-bulk-form] select[name=action]")) {
      showFieldsFor(event.target);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    refresh();
    document.querySelectorAll("[data-bulk-form] select[name=action]").forEach(showFieldsFor);
  });
})();
