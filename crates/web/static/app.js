// The pages' few behaviours, without inline scripts (the Content-Security-Policy forbids them).
// Every page works without this file; it only saves a click.
document.addEventListener("change", function (e) {
  var t = e.target;
  // A filter that applies itself when changed.
  if (t.matches && t.matches("select[data-autosubmit]") && t.form) {
    t.form.submit();
  }
  // A standard opinion copied into the reason box of the same form.
  if (t.matches && t.matches("select[data-fills-reason]") && t.form && t.form.reason) {
    t.form.reason.value = t.value;
  }
  // "Select all" for batch actions.
  if (t.matches && t.matches("input[data-check-all]") && t.form) {
    t.form.querySelectorAll("input[name=" + t.getAttribute("data-check-all") + "]").forEach(function (c) {
      c.checked = t.checked;
    });
  }
});
