// "Copy link" (article share links) and "Copy the address" (the feed page): copy with the
// Clipboard API and say so. Without script, or without the API (a page not served over
// https), the control stays a plain link to the address, which a reader can copy.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-copy-link]");
    if (!trigger) {
      return;
    }
    event.preventDefault();
    var address = trigger.getAttribute("data-copy-value") || trigger.href;
    var scope = trigger.closest("section") || document;
    var status = scope.querySelector("[data-copy-status]");
    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }
    navigator.clipboard.writeText(address).then(
      function () {
        say(trigger.getAttribute("data-copied"));
      },
      function () {
        say(trigger.getAttribute("data-copy-failed"));
      }
    );
  });
})();
