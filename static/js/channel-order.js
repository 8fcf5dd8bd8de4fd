// The channels of a notice (admin): drag a row by its handle to reorder; the position numbers
// are renumbered in tens to match, and saved with the notice. Typing the numbers works too.
(function () {
  "use strict";
  var dragged = null;

  function rows(body) {
    return Array.prototype.filter.call(body.querySelectorAll("tr.form-row"), function (row) {
      return !row.classList.contains("empty-form");
    });
  }

  function renumber(body) {
    var position = 0;
    rows(body).forEach(function (row) {
      var name = row.querySelector("input[name$='-name']");
      var field = row.querySelector("input[name$='-position']");
      if (field && name && name.value.trim() !== "") {
        position += 10;
        field.value = String(position);
      }
    });
  }

  function setUp(group) {
    var body = group.querySelector("tbody");
    if (!body) {
      return;
    }
    rows(body).forEach(function (row) {
      var cell = row.querySelector("td.field-position");
      if (!cell || cell.querySelector(".channel-drag")) {
        return;
      }
      var handle = document.createElement("span");
      handle.className = "channel-drag";
      handle.draggable = true;
      handle.textContent = "↕";
      handle.title = window.gettext ? window.gettext("Drag to reorder") : "Drag to reorder";
      handle.setAttribute("aria-hidden", "true");
      cell.insertBefore(handle, cell.firstChild);
      handle.addEventListener("dragstart", function (event) {
        dragged = row;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "");
      });
    });
    if (body.hasAttribute("data-drag-ready")) {
      return;
    }
    body.setAttribute("data-drag-ready", "");
    body.addEventListener("dragover", function (event) {
      var target = event.target.closest("tr.form-row");
      if (!dragged || !target || target === dragged || target.classList.contains("empty-form")) {
        return;
      }
      event.preventDefault();
      var box = target.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      body.insertBefore(dragged, after ? target.nextSibling : target);
    });
    body.addEventListener("drop", function (event) {
      if (dragged) {
        event.preventDefault();
      }
    });
    body.addEventListener("dragend", function () {
      if (dragged) {
        dragged = null;
        renumber(body);
      }
    });
  }

  function setUpAll() {
    document.querySelectorAll("#channels-group").forEach(setUp);
  }
  document.addEventListener("DOMContentLoaded", setUpAll);
  // A row added with "Add another Channel" gets its handle too.
  document.addEventListener("formset:added", setUpAll);
})();
