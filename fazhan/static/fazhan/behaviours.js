/* The pages' small behaviours, declared with data- attributes instead of inline handlers, so that
   the Content-Security-Policy can forbid inline script (settings.CONTENT_SECURITY_POLICY). */
(function () {
  "use strict";

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
