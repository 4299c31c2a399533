/*
 * Forecast page: attainment by rep (Chart.js, vendored), from the JSON the page embeds.
 */
(function () {
  "use strict";
  function start() {
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
