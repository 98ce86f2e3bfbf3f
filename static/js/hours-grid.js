// Hours grids: move between rows with the keyboard, as in a spreadsheet, and save with Ctrl+Enter.
// Arrow Up / Arrow Down / Enter go to the same column of the previous or next row; Tab keeps its usual order.
(function () {
  "use strict";
  var form = document.querySelector("form[data-hours-grid], #grille-heures");
  if (!form) { return; }

  function inputsOfColumn(input) {
    var column = input.dataset.col;
    return Array.prototype.filter.call(form.querySelectorAll(".grid-input"), function (other) {
      return other.dataset.col === column;
    });
  }

  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("grid-input")) { return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    var step = 0;
    if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) { step = 1; }
    if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) { step = -1; }
    if (!step) { return; }
    event.preventDefault();
    var column = inputsOfColumn(input);
    var next = column[column.indexOf(input) + step];
    if (next) { next.focus(); next.select(); }
  });

  // A value typed then left: select the whole content of the next box reached, to type over it.
  form.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("grid-input")) { event.target.select(); }
  });
})();
