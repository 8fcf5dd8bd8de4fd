// The error summary's autofocus does the work without a script, except when the address names
// a fragment (the comment form posts to #comment-form): browsers then skip autofocus, and move
// to the fragment until the page has loaded.
const summary = document.querySelector(".error-summary");
if (summary) {
  window.addEventListener("load", () => {
    if (document.activeElement !== summary) summary.focus();
  });
}
