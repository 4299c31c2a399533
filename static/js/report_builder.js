/*
 * Report builder and pinned reports: draw each chart from its canvas's data-chart-spec
 * (JSON; no inline script under CSP, and htmx swaps drop script elements), on load and
 * again after htmx swaps in a new result. No animation.
 */
(function () {
  "use strict";
  var COLOURS = ["#4f46e5", "#16a34a", "#d97706", "#0891b2", "#db2777", "#6b7280", "#7c3aed", "#65a30d"];

  function draw(canvas) {
    if (!window.Chart || canvas.chart) { return; }
    var spec = JSON.parse(canvas.dataset.chartSpec);
    var type = spec.type === "stacked" ? "bar" : spec.type;
    var pie = type === "pie";
    var datasets = spec.datasets.map(function (set, i) {
      var colour = pie ? spec.labels.map(function (_, j) { return COLOURS[j % COLOURS.length]; }) : COLOURS[i % COLOURS.length];
      return { label: set.label, data: set.data, backgroundColor: colour, borderColor: pie ? "#fff" : colour, spanGaps: true };
    });
    var options = {
      animation: false,
      plugins: { legend: { display: pie || datasets.length > 1 } }
    };
    if (spec.type === "stacked") {
      options.scales = { x: { stacked: true }, y: { stacked: true } };
    }
    canvas.chart = new window.Chart(canvas, { type: type, data: { labels: spec.labels, datasets: datasets }, options: options });
  }

  function drawAll(root) {
    if (window.Chart) { window.Chart.defaults.animation = false; }
    (root || document).querySelectorAll("canvas[data-chart-spec]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  // After an htmx swap (builder redraw, pinned block): draw what is new (drawn ones are skipped).
  document.addEventListener("htmx:afterSettle", function () { drawAll(document); });
})();
