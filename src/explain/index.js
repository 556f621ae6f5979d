// gleaner explain index: sorts the table by the clicked column (numbers as numbers).
(function () {
  "use strict";
  var table = document.getElementById("pages");
  var body = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function sortBy(column) {
    var header = headers[column];
    var numeric = header.dataset.type === "num";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[column].dataset.v;
      var y = b.cells[column].dataset.v;
      var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  headers.forEach(function (header, column) {
    header.querySelector("button").addEventListener("click", function () { sortBy(column); });
  });
})();
