// The quota grid: arrow keys / Enter move between cells, pasting a block copied from a
// spreadsheet (tab-separated columns, one line per row) fills the cells from the focused one.
(function () {
  "use strict";
  const table = document.getElementById("quota-grid");
  if (!table) return;
  const rows = Array.from(table.querySelectorAll("tbody tr")).map((tr) =>
    Array.from(tr.querySelectorAll("input.quota-cell"))
  );
  function position(input) {
    for (let r = 0; r < rows.length; r++) {
      const c = rows[r].indexOf(input);
      if (c >= 0) return [r, c];
    }
    return null;
  }
  function focusAt(r, c) {
    if (r < 0 || r >= rows.length) return;
    const cell = rows[r][Math.max(0, Math.min(c, rows[r].length - 1))];
    if (cell) {
      cell.focus();
      cell.select();
    }
  }
  table.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("quota-cell")) return;
    const at = position(input);
    if (!at) return;
    const [r, c] = at;
    const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    const atEnd = input.selectionStart === input.value.length;
    let target = null;
    if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) target = [r + 1, c];
    else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) target = [r - 1, c];
    else if (event.key === "ArrowRight" && atEnd) target = [r, c + 1];
    else if (event.key === "ArrowLeft" && atStart) target = [r, c - 1];
    if (target) {
      event.preventDefault();
      focusAt(target[0], target[1]);
    }
  });
  table.addEventListener("paste", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("quota-cell")) return;
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!text || (!text.includes("\t") && !text.includes("\n"))) return; // one value: normal paste
    event.preventDefault();
    const at = position(input);
    if (!at) return;
    const lines = text.replace(/\r/g, "").replace(/\n$/, "").split("\n");
    lines.forEach((line, i) => {
      const row = rows[at[0] + i];
      if (!row) return;
      line.split("\t").forEach((value, j) => {
        const cell = row[at[1] + j];
        if (cell) {
          cell.value = value.trim().replace(/[^0-9.,-]/g, "");
          cell.classList.add("quota-changed");
        }
      });
    });
  });
  table.addEventListener("input", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement) input.classList.add("quota-changed");
  });
})();
