/* The article form's autosave and editing lock (articles/editing.py says the rules).
 *
 * Progressive enhancement: without this script the form saves as always, the lock is taken
 * when the form opens and the notices come with the page. With it, the form's fields are kept
 * on the server every few seconds when they changed and when the page is left, leaving with
 * unsaved changes asks first, and the lock is renewed while the form is open, so that this
 * page hears at once when another editor takes over.
 */
(function () {
  "use strict";

  var configElement = document.getElementById("article-editing-config");
  var form = document.getElementById("article_form");
  if (!configElement || !form || !window.fetch || !window.FormData) {
    return;
  }
  var config = JSON.parse(configElement.textContent);
  var status = document.getElementById("article-editing-status");
  var lockNotice = document.getElementById("article-editing-lock");
  var tokenInput = form.querySelector("[name=csrfmiddlewaretoken]");
  var token = tokenInput ? tokenInput.value : "";

  function say(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, name) {
      return values[name] === undefined ? match : values[name];
    });
  }

  function send(url, payload, keepalive) {
    return fetch(url, {
      method: payload === undefined ? "GET" : "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          throw new Error(answer.error || String(response.status));
        }
        return answer;
      });
    });
  }

  // A lock held by somebody else: the read-only form says when the article is free.
  if (config.mode === "locked") {
    var waiting = window.setInterval(function () {
      send(config.lockUrl).then(function (lock) {
        if (!lock.holder) {
          window.clearInterval(waiting);
          status.textContent = say(config.messages.free, { who: config.holder });
        }
      }, function () {});
    }, config.renewSeconds * 1000);
    return;
  }

  // The form's text fields as the browser would post them (files and the token left out).
  function fields() {
    var result = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string" || name === "csrfmiddlewaretoken") {
        return;
      }
      if (Object.prototype.hasOwnProperty.call(result, name)) {
        result[name] = [].concat(result[name], value);
      } else {
        result[name] = value;
      }
    });
    return JSON.stringify(result);
  }

  var opened = fields(); // what the page opened with: unsaved only if restored or refused
  var kept = opened; // what the server has
  var unsaved = !!config.unsaved;
  var submitting = false;
  var holdsLock = true;

  function changed() {
    return unsaved || fields() !== opened;
  }

  function autosave(leaving) {
    var current = fields();
    if (current === kept) {
      return;
    }
    var before = kept;
    kept = current; // sent: leaving sends it once, not on both visibilitychange and pagehide
    send(config.autosaveUrl, { fields: JSON.parse(current) }, leaving).then(
      function (answer) {
        status.textContent = say(config.messages.saved, { time: answer.saved_at_display });
      },
      function (error) {
        if (kept === current) {
          kept = before; // try again at the next round
        }
        status.textContent =
          error instanceof TypeError
            ? config.messages.offline
            : say(config.messages.failed, { error: error.message });
      }
    );
  }

  function showLock(lock) {
    holdsLock = lock.held;
    lockNotice.hidden = lock.held;
    lockNotice.querySelector("strong").textContent = lock.message;
  }

  function renew() {
    if (config.lockUrl) {
      send(config.lockUrl, { action: "renew" }).then(showLock, function () {});
    }
  }

  form.addEventListener("submit", function () {
    submitting = true;
  });

  window.setInterval(function () {
    if (!submitting) {
      autosave(false);
    }
  }, config.autosaveSeconds * 1000);
  window.setInterval(renew, config.renewSeconds * 1000);
  if (config.unsaved) {
    renew(); // a refused save: say at once whether somebody else holds the article
  }

  window.addEventListener("beforeunload", function (event) {
    if (!submitting && changed()) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need a value to ask
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && !submitting) {
      autosave(true);
    }
  });

  window.addEventListener("pagehide", function () {
    if (submitting) {
      return; // the save itself carries the text; the server frees the lock after it
    }
    autosave(true);
    if (config.lockUrl && holdsLock) {
      send(config.lockUrl, { action: "release" }, true).catch(function () {});
    }
  });

  // Back from the browser's page cache: the lock was released on leaving.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      renew();
    }
  });
})();
