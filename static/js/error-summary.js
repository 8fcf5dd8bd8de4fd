// The error summary's autofocus does the work without a script, except when the address names
// a fragment (the comment form posts to #comment-form): browsers then skip autofocus, and move
// to the fragment until the page has loaded. A reply sent back opens in its thread with its
// message beside it, and keeps the focus its own autofocus asks for (comments.js).
const summary = document.querySelector(".error-summary");
const sentBack = document.querySelector("textarea[autofocus], input[autofocus]");
if (summary && !sentBack) {
  window.addEventListener("load", () => {
    if (document.activeElement !== summary) summary.focus();
  });
}
