/* Sortable tables and print preparation for the assess HTML report (no dependencies). */
(function () {
  "use strict";
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function key(cell) {
    if (!cell) return "";
    var v = cell.getAttribute("data-v");
    return v === null ? cell.textContent.trim() : v;
  }

  function compare(a, b) {
    var x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) return x - y;
    return collator.compare(a, b);
  }

  function sortBy(table, th) {
    var col = th.cellIndex;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var keyed = Array.prototype.map.call(body.rows, function (row, i) {
      return { row: row, key: key(row.cells[col]), i: i };
    });
    keyed.sort(function (p, q) {
      // blanks last whichever the direction; ties keep their current order
      if (p.key === "" || q.key === "") {
        return p.key === q.key ? p.i - q.i : (p.key === "" ? 1 : -1);
      }
      var c = compare(p.key, q.key);
      return (ascending ? c : -c) || p.i - q.i;
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (k) { frag.appendChild(k.row); });
    body.appendChild(frag);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      if (cell !== th) cell.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var status = document.getElementById(table.id + "-status");
    if (status) {
      status.textContent = "Sorted by " + th.textContent.trim() + ", " +
        (ascending ? "ascending" : "descending") + ".";
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.querySelectorAll("thead th[data-sort] button"), function (button) {
      button.addEventListener("click", function () { sortBy(table, button.closest("th")); });
    });
  });

  // Printing shows every breakdown; what was closed is closed again afterwards.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  document.documentElement.classList.add("js");
})();
