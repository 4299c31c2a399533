/*
 * Forecast page: attainment by rep (Chart.js, vendored), from the JSON the page embeds.
 */
(function () {
  "use strict";
  // Charts appear drawn, not growing: steadier for screenshots, print and reduced motion.
  if (window.Chart) { window.Chart.defaults.animation = false; }
  function waterfall() {
    var node = document.getElementById("waterfall-data");
    var canvas = document.getElementById("waterfall-chart");
    if (!node || !canvas || !window.Chart) return;
    var data = JSON.parse(node.textContent);
    var last = data.bars.length - 1;
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: "Commit",
            data: data.bars,
            backgroundColor: data.bars.map(function (bar, i) {
              if (i === 0 || i === last) return "#6c757d";
              return bar[1] >= bar[0] ? "#198754" : "#dc3545";
            }),
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true } },
      },
    });
  }
  function start() {
    waterfall();
    var node = document.getElementById("forecast-chart-data");
    var canvas = document.getElementById("attainment-chart");
    if (!node || !canvas || !window.Chart) return;
    var data = JSON.parse(node.textContent);
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: "Attainment % of quota",
            data: data.attainment,
            backgroundColor: data.attainment.map(function (v) {
              return v === null ? "#adb5bd" : v >= 100 ? "#198754" : v >= 70 ? "#0d6efd" : "#dc3545";
            }),
          },
        ],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: { x: { beginAtZero: true, title: { display: true, text: "% of quota" } } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              afterLabel: function (item) {
                var quota = data.quota[item.dataIndex];
                return "won " + data.won[item.dataIndex].toLocaleString() + (quota === null ? " · no quota" : " of " + quota.toLocaleString());
              },
            },
          },
        },
      },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
