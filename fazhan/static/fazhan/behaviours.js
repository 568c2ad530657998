/* The pages' small behaviours, declared with data- attributes instead of inline handlers, so that
   the Content-Security-Policy can forbid inline script (settings.CONTENT_SECURITY_POLICY). */
(function () {
  "use strict";

  // The narrow-screen layout (site.css) folds the menu only when this script runs.
  document.documentElement.classList.add("js");

  // A table with a header row becomes cards on a phone: each cell carries its column's header
  // as data-label (site.css shows it before the value). Cells spanning columns take the first
  // header they cover; a cell that already has a data-label keeps it.
  function stack(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("table").forEach(function (table) {
      var head = table.tHead && table.tHead.rows.length ? table.tHead.rows[table.tHead.rows.length - 1] : null;
      if (!head || table.classList.contains("no-stack")) return;
      var labels = [];
      Array.prototype.forEach.call(head.cells, function (cell) {
        for (var i = 0; i < (cell.colSpan || 1); i++) labels.push(cell.textContent.trim());
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            var label = labels[column];
            if (cell.tagName === "TD" && label && !cell.hasAttribute("data-label")) {
              cell.setAttribute("data-label", label);
            }
            column += cell.colSpan || 1;
          });
        });
      });
      table.classList.add("stack");
    });
  }

  function ready() { stack(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  // Fragments htmx swaps in (progress, checks) get the same treatment.
  document.addEventListener("htmx:afterSwap", function (event) { stack(event.target); });

  document.addEventListener("change", function (event) {
    var el = event.target;
    // <select data-autosubmit>: choosing reloads the form's page.
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
    // <input type="checkbox" data-check-all="CSS selector">: ticks or clears every match.
    if (el.matches && el.matches("input[data-check-all]")) {
      document.querySelectorAll(el.getAttribute("data-check-all")).forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });

  document.addEventListener("click", function (event) {
    // <button data-menu-toggle="id">: opens or folds the header's menu on a phone.
    var toggle = event.target.closest && event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var header = toggle.closest("header") || document.body;
      var open = header.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    var el = event.target.closest && event.target.closest("[data-print]");
    if (el) {
      window.print();
    }
  });

  document.addEventListener("submit", function (event) {
    // <form data-goto="/prefix/">: goes to prefix + the field named by data-goto-field + "/".
    var form = event.target;
    var prefix = form.getAttribute && form.getAttribute("data-goto");
    if (prefix) {
      event.preventDefault();
      var field = form.elements[form.getAttribute("data-goto-field") || "step"];
      location.href = prefix + encodeURIComponent(field.value) + "/";
    }
  });
})();
