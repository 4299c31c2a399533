/*
 * Leaderboards and source return: a horizontal bar chart from a json_script element
 * (no inline script: CSP). No animation.
 */
(function () {
  "use strict";
  if (window.Chart) { window.Chart.defaults.animation = false; }

  function draw(canvasId, dataId, colour) {
    var canvas = document.getElementById(canvasId);
    var node = document.getElementById(dataId);
    if (!canvas || !node || !window.Chart || canvas.chart) { return; }
    var data = JSON.parse(node.textContent);
    if (!data.labels || !data.labels.length) { return; }
    var datasets = data.datasets || [{ label: data.title, data: data.values, backgroundColor: colour }];
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: data.datasets ? "x" : "y",
        aspectRatio: data.datasets ? 2.5 : Math.max(1.2, 4 - data.labels.length / 6),
        plugins: { legend: { display: !!data.datasets } }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw("leaderboard-chart", "leaderboard-chart-data", "#4f46e5");
    draw("source-return-chart", "source-return-chart-data", "#16a34a");
  });
})();
