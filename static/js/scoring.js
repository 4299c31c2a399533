/*
 * Model quality page: calibration, gains and feature-importance charts (Chart.js, vendored).
 * The figures come from a json_script element (#quality-charts) rendered by the view.
 */
(function () {
  "use strict";
  // Charts appear drawn, not growing: steadier for screenshots, print and reduced motion.
  if (window.Chart) { window.Chart.defaults.animation = false; }

  var COLOURS = ["#4f46e5", "#16a34a", "#d97706", "#6b7280"];

  function data() {
    var node = document.getElementById("quality-charts");
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas && window.Chart) {
      canvas.chart = new window.Chart(canvas, config);
    }
  }

  function percent(value) { return Math.round(value * 100) + " %"; }

  document.addEventListener("DOMContentLoaded", function () {
    var charts = data();
    if (!charts) { return; }
    var axis = { min: 0, max: 1, ticks: { callback: percent } };
    draw("calibration-chart", {
      type: "line",
      data: {
        labels: charts.calibration.labels,
        datasets: [
          { label: "Predicted", data: charts.calibration.predicted, borderColor: COLOURS[0], backgroundColor: COLOURS[0] },
          { label: "Observed", data: charts.calibration.observed, borderColor: COLOURS[1], backgroundColor: COLOURS[1] }
        ]
      },
      options: { scales: { y: axis, x: { title: { display: true, text: "Decile of predicted probability (1 = lowest)" } } } }
    });
    var series = Object.keys(charts.gains.series).map(function (name, i) {
      return { label: name, data: charts.gains.series[name], borderColor: COLOURS[i], backgroundColor: COLOURS[i] };
    });
    series.push({
      label: "Random", data: charts.gains.labels.map(function (_, i) { return i / 10; }),
      borderColor: COLOURS[3], borderDash: [4, 4], pointRadius: 0
    });
    draw("gains-chart", {
      type: "line",
      data: { labels: charts.gains.labels, datasets: series },
      options: { scales: { y: axis, x: { title: { display: true, text: "Leads contacted, best scores first" } } } }
    });
    draw("importance-chart", {
      type: "bar",
      data: { labels: charts.importance.labels, datasets: [{ label: "Share of influence", data: charts.importance.values, backgroundColor: COLOURS[0] }] },
      options: { indexAxis: "y", scales: { x: { ticks: { callback: percent } } }, plugins: { legend: { display: false } } }
    });
  });
})();
