/*
 * Statistical forecast page: actuals, the ETS forecast with shaded 80 % and 95 % bands, the
 * seasonal naive and the pipeline estimate (Chart.js, vendored). The figures come from a
 * json_script element (#statistical-chart-data) rendered by the view.
 */
(function () {
  "use strict";
  // Charts appear drawn, not growing: steadier for screenshots, print and reduced motion.
  if (window.Chart) { window.Chart.defaults.animation = false; }

  var INDIGO = "#4f46e5";

  function data() {
    var node = document.getElementById("statistical-chart-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function money(value) {
    return Math.round(value).toLocaleString();
  }

  function band(label, values, colour, fill) {
    return {
      label: label, data: values, borderWidth: 0, pointRadius: 0, backgroundColor: colour,
      fill: fill, spanGaps: false
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var chart = data();
    var canvas = document.getElementById("statistical-chart");
    if (!chart || !canvas || !window.Chart) { return; }
    canvas.chart = new window.Chart(canvas, {
      type: "line",
      data: {
        labels: chart.labels,
        datasets: [
          band("95 % low", chart.low_95, "rgba(79, 70, 229, 0.10)", false),
          band("95 % interval", chart.high_95, "rgba(79, 70, 229, 0.10)", "-1"),
          band("80 % low", chart.low_80, "rgba(79, 70, 229, 0.22)", false),
          band("80 % interval", chart.high_80, "rgba(79, 70, 229, 0.22)", "-1"),
          { label: "Won (actual)", data: chart.actual, borderColor: "#111827", backgroundColor: "#111827", pointRadius: 2 },
          { label: "Forecast · " + chart.method, data: chart.forecast, borderColor: INDIGO, backgroundColor: INDIGO, pointRadius: 2 },
          { label: "Seasonal naive", data: chart.naive, borderColor: "#d97706", backgroundColor: "#d97706", borderDash: [5, 4], pointRadius: 0 },
          { label: "Pipeline estimate", data: chart.pipeline, borderColor: "#16a34a", backgroundColor: "#16a34a", borderDash: [2, 3], pointRadius: 0 }
        ]
      },
      options: {
        // Drawn at once: an animation from zero reads as wrong figures in a screenshot or
        // to anyone glancing while it runs.
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { callback: money } } },
        plugins: {
          legend: { labels: { filter: function (item) { return item.text.indexOf(" low") === -1; } } },
          tooltip: {
            filter: function (item) { return item.raw !== null && item.dataset.label.indexOf(" low") === -1; },
            callbacks: {
              label: function (item) {
                var label = item.dataset.label;
                if (label === "95 % interval") { return "95 %: " + money(chart.low_95[item.dataIndex]) + " – " + money(item.raw); }
                if (label === "80 % interval") { return "80 %: " + money(chart.low_80[item.dataIndex]) + " – " + money(item.raw); }
                return label + ": " + money(item.raw) + " " + chart.currency;
              }
            }
          }
        }
      }
    });
  });
})();
