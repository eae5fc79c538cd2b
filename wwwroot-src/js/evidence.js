// Evidence pages: the drill-down distribution chart (Chart.js, global `Chart`) and Escape to dismiss a cell's
// tooltip (WCAG 1.4.13). Loaded as a module file; the CSP forbids inline script.
const canvas = document.getElementById("distribution-chart");
if (canvas && window.Chart) {
  const data = JSON.parse(canvas.dataset.chart || "{}");
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // eslint-disable-next-line no-undef
  const chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels || [],
      datasets: [
        { label: canvas.dataset.labelShare || "Share of weight (%)", data: data.shares || [], backgroundColor: "#d7301f", yAxisID: "y" },
        { label: canvas.dataset.labelCount || "Responses", data: data.counts || [], backgroundColor: "#6c757d", yAxisID: "y1" },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduced ? false : undefined,
      scales: {
        y: { beginAtZero: true, max: 100, position: "left", title: { display: true, text: canvas.dataset.labelShare || "%" } },
        y1: { beginAtZero: true, position: "right", ticks: { precision: 0 }, grid: { drawOnChartArea: false } },
      },
    },
  });
  canvas.dataset.rendered = String(chart.data.labels.length);
}

for (const cell of document.querySelectorAll(".ev-cell")) {
  cell.addEventListener("keydown", (event) => {
    if (event.key === "Escape") cell.classList.add("ev-tip-dismissed");
  });
  cell.addEventListener("focusout", () => cell.classList.remove("ev-tip-dismissed"));
  cell.addEventListener("mouseleave", () => cell.classList.remove("ev-tip-dismissed"));
}
