// The view counter (articles/counting.py). The page is served whole from a cache, so it cannot
// count itself: once it is actually shown (not while prerendered), this sends one small POST to
// the address in the article's data-count-url, without cookies. Without this script nothing is
// counted; robots that run no script are not counted either.
(function () {
  "use strict";
  var article = document.querySelector("[data-count-url]");
  if (!article) return;
  var url = article.getAttribute("data-count-url");
  var sent = false;

  function send() {
    if (sent || document.visibilityState !== "visible") return;
    sent = true;
    document.removeEventListener("visibilitychange", send);
    if (window.fetch) {
      fetch(url, { method: "POST", credentials: "omit", keepalive: true, cache: "no-store" })
        .catch(function () {});
    } else if (navigator.sendBeacon) {
      navigator.sendBeacon(url);
    }
  }

  // A prerendered or background tab counts when the reader looks at it.
  if (document.visibilityState === "visible") send();
  else document.addEventListener("visibilitychange", send);
})();
