// A wide table marked `cards` reads as one card per row on a phone: each cell is labelled with its column's heading
// here, and app.css lays the labelled table out as cards below 700 px. Without script the table scrolls sideways.
(function () {
  "use strict";
  document.querySelectorAll("table.cards").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.replace(/[▲▼]/g, "").trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", headings[column] || "");
        column += cell.colSpan || 1;
      });
    });
    table.setAttribute("data-labelled", "");
  });
})();
