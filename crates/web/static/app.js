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

// Phones: every data table gets its column names on its cells, so that CSS can show each row as
// a card below 600 px (without this file the table scrolls sideways instead).
function cardTables() {
  document.querySelectorAll(".table-wrap table").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (heads.length === 0) return;
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        if (!td.hasAttribute("data-label")) td.setAttribute("data-label", heads[i] || "");
        // One box for the cell's content: the label and the content are the card row's two columns.
        if (!td.querySelector(":scope > .cell")) {
          var box = document.createElement("div");
          box.className = "cell";
          while (td.firstChild) box.appendChild(td.firstChild);
          td.appendChild(box);
        }
      });
    });
    table.classList.add("cards");
  });
}
document.addEventListener("DOMContentLoaded", cardTables);

// File choosers in Chinese: the browser's own button and “no file” text follow its language, so
// each file input sits, nearly transparent, over a 选择文件 button and the chosen file's name.
// Without this file the plain input still works.
function chineseFilePickers() {
  document.querySelectorAll("input[type=file]").forEach(function (input) {
    if (input.parentNode.classList && input.parentNode.classList.contains("file-pick")) return;
    var wrap = document.createElement("span");
    wrap.className = "file-pick";
    var button = document.createElement("span");
    button.className = "btn secondary";
    button.textContent = "选择文件";
    var name = document.createElement("span");
    name.className = "file-name";
    name.textContent = "未选择文件";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(button);
    wrap.appendChild(name);
    wrap.appendChild(input);
    input.addEventListener("change", function () {
      var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      name.textContent = files.length ? files.join("、") : "未选择文件";
    });
  });
}
document.addEventListener("DOMContentLoaded", chineseFilePickers);

// 打印 buttons (no inline script under the CSP).
document.addEventListener("click", function (e) {
  var t = e.target;
  if (t && t.hasAttribute && t.hasAttribute("data-print")) {
    window.print();
  }
});
