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

// Sign-up: gender and birth date are asked only for documents that do not carry them.
function showStatedBirth() {
  var kind = document.querySelector("select[data-birth-kinds]");
  var box = document.getElementById("stated-birth");
  if (!kind || !box) return;
  box.hidden = kind.getAttribute("data-birth-kinds").split(" ").indexOf(kind.value) < 0;
}
document.addEventListener("change", function (e) {
  if (e.target.matches && e.target.matches("select[data-birth-kinds]")) showStatedBirth();
});
document.addEventListener("DOMContentLoaded", showStatedBirth);
