/*
 * Report dashboards: the charts beside each table (Chart.js, vendored). The figures come
 * from a json_script element (#report-charts) rendered by the view; no inline script (CSP).
 */
(function () {
  "use strict";
  // Charts appear drawn, not growing: steadier for screenshots, print and reduced motion.
  if (window.Chart) { window.Chart.defaults.animation = false; }

  var COLOURS = ["#4f46e5", "#16a34a", "#d97706", "#0891b2", "#db2777", "#6b7280"];

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas && window.Chart) {
      canvas.chart = new window.Chart(canvas, config);
    }
  }

  function bar(id, series, label, colour, horizontal) {
    if (!series || !series.labels.length) { return; }
    draw(id, {
      type: "bar",
      data: { labels: series.labels, datasets: [{ label: label, data: series.values, backgroundColor: colour }] },
      options: { indexAxis: horizontal ? "y" : "x", plugins: { legend: { display: false } } }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("report-charts");
    if (!node) { return; }
    var charts = JSON.parse(node.textContent);
    bar("funnel-chart", charts.funnel, "Leads", COLOURS[0], true);
    bar("cycle-chart", charts.cycle, "Deals won", COLOURS[1], false);
    bar("stages-chart", charts.stages, "Median days", COLOURS[2], true);
    if (charts.reps && charts.reps.labels.length) {
      draw("reps-chart", {
        type: "bar",
        data: {
          labels: charts.reps.labels,
          datasets: [
            { label: "Won revenue", data: charts.reps.won, backgroundColor: COLOURS[0], yAxisID: "y" },
            { label: "Win rate %", data: charts.reps.win_rate, backgroundColor: COLOURS[2], yAxisID: "rate" }
          ]
        },
        options: { aspectRatio: 3, scales: { y: { position: "left" }, rate: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } } }
      });
    }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas, i) {
      var series = charts[canvas.dataset.chart];
      if (!series || !series.labels.length) { return; }
      var type = canvas.dataset.type || "bar";
      var colour = COLOURS[i % COLOURS.length];
      draw(canvas.id, {
        type: type,
        data: { labels: series.labels, datasets: [{ label: canvas.getAttribute("aria-label"), data: series.values, backgroundColor: colour, borderColor: colour }] },
        options: { plugins: { legend: { display: false } } }
      });
    });
  });
})();
