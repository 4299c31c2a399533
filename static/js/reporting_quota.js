/*
 * Dashboards against quota: attainment % by rep (Chart.js, vendored), from the
 * #quota-chart json_script block (no inline script: CSP).
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("quota-chart");
    var canvas = document.getElementById("attainment-by-rep-chart");
    if (!node || !canvas || !window.Chart) { return; }
    var data = JSON.parse(node.textContent);
    if (!data.labels.length) { return; }
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: "Attainment %", data: data.attainment, backgroundColor: "#4f46e5" }]
      },
      options: {
        animation: false,
        aspectRatio: 3,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, title: { display: true, text: "% of quota" } } }
      }
    });
  });
})();
