/* Comment forms, progressive enhancement: without this script the forms state their limit and
   "Delete" opens a confirmation page; with it, a live character count and a confirm step in
   place. */
(function () {
  "use strict";

  var format = new Intl.NumberFormat(document.documentElement.lang || undefined);
  // Near the limit the count turns to the accent colour (a tenth of the limit left).
  var NEAR = 0.9;

  function counter(output) {
    var field = document.getElementById(output.id.replace(/-count$/, ""));
    if (!field) return;
    var limit = parseInt(output.dataset.limit, 10);
    var template = output.dataset.template;
    // What is seen changes with each key; what a screen reader hears, once typing pauses.
    var shown = document.createElement("span");
    shown.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    output.textContent = "";
    output.append(shown, spoken);
    var timer = null;

    function text() {
      return template
        .replace("{count}", format.format(field.value.length))
        .replace("{limit}", format.format(limit));
    }

    function update() {
      shown.textContent = text();
      output.classList.toggle("char-count--near", field.value.length >= limit * NEAR);
      clearTimeout(timer);
      timer = setTimeout(function () {
        spoken.textContent = text();
      }, 1000);
    }

    shown.textContent = text();
    output.classList.toggle("char-count--near", field.value.length >= limit * NEAR);
    field.addEventListener("input", update);
  }

  function confirmInPlace(link) {
    var form = document.getElementById(link.getAttribute("aria-controls"));
    if (!form) return;
    link.setAttribute("aria-expanded", "false");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      link.hidden = true;
      link.setAttribute("aria-expanded", "true");
      form.hidden = false;
      form.querySelector("button[type=submit]").focus();
    });
    form.querySelector("[data-cancel]").addEventListener("click", function () {
      form.hidden = true;
      link.hidden = false;
      link.setAttribute("aria-expanded", "false");
      link.focus();
    });
  }

  document.querySelectorAll(".char-count[data-limit]").forEach(counter);
  // A reply sent back (too fast, too long) opens at its thread's address, and browsers skip
  // autofocus on a page opened at an address with a fragment: the reader writes on at once.
  var sentBack = document.querySelector(".comment__reply textarea[autofocus]");
  if (sentBack) {
    window.addEventListener("load", function () {
      sentBack.focus({ preventScroll: true });
    });
  }
  document.querySelectorAll("a.comment__delete[aria-controls]").forEach(confirmInPlace);
})();
