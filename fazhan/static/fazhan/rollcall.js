/* The roll call (签到) of a branch meeting: "全部到会" ticks every member, and a row marked 请假
   or 缺席 is no longer present (and the reverse). Declared with data- attributes, no inline
   script (CSP). Without JavaScript the "全部到会" button does the same on the server. */
(function () {
  "use strict";

  function syncAll(form) {
    var all = form.querySelector("input[data-roll-all]");
    if (!all) {
      return;
    }
    var boxes = form.querySelectorAll("input[name=present]");
    var ticked = form.querySelectorAll("input[name=present]:checked");
    all.checked = boxes.length > 0 && ticked.length === boxes.length;
    all.indeterminate = ticked.length > 0 && ticked.length < boxes.length;
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    var form = el.closest && el.closest("form[data-roll]");
    if (!form) {
      return;
    }
    if (el.matches("input[data-roll-all]")) {
      form.querySelectorAll("input[name=present]").forEach(function (box) {
        box.checked = el.checked;
        var row = box.closest("tr");
        var why = row && row.querySelector("select[data-absence]");
        if (why && el.checked) {
          why.value = "";
        }
      });
    } else if (el.matches("select[data-absence]")) {
      var box = el.closest("tr").querySelector("input[name=present]");
      if (box && el.value) {
        box.checked = false;
      }
    } else if (el.matches("input[name=present]") && el.checked) {
      var select = el.closest("tr").querySelector("select[data-absence]");
      if (select) {
        select.value = "";
      }
    }
    syncAll(form);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-roll]").forEach(syncAll);
  });
})();
