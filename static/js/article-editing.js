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

  // This browser's copy of what has not reached the server yet (network down, server away).
  var storage = null;
  try {
    storage = window.localStorage;
  } catch (error) {
    storage = null; // storage refused (private mode, policy): the server copy only
  }

  function openedVersion() {
    var field = form.elements.namedItem("opened_version");
    return field ? field.value : "";
  }

  function keepLocally(current) {
    try {
      storage.setItem(config.localKey, JSON.stringify({ base: openedVersion(), fields: current }));
    } catch (error) {
      // full or refused: the server copy only
    }
  }

  function forgetLocally(current) {
    try {
      var local = JSON.parse(storage.getItem(config.localKey) || "null");
      if (local && (current === undefined || local.fields === current)) {
        storage.removeItem(config.localKey);
      }
    } catch (error) {
      // nothing to forget
    }
  }

  var editors = new Map();
  document.addEventListener("prose-editor:ready", function (event) {
    editors.set(event.detail.textarea, event.detail.editor);
  });

  // Put `values` (as fields() gives them) in the form: text, choices and ticks.
  function fill(values) {
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "opened_version" || name === "csrfmiddlewaretoken") {
        return;
      }
      if (/^(file|submit|button|reset)$/.test(element.type)) {
        return;
      }
      var present = Object.prototype.hasOwnProperty.call(values, name);
      var list = present ? [].concat(values[name]) : [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = list.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = list.indexOf(option.value) !== -1;
        });
      } else if (present) {
        element.value = list[0];
        var editor = editors.get(element);
        if (editor) {
          editor.commands.setContent(list[0]);
        }
      }
      element.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  var unsaved = !!config.unsaved;
  var fromBrowser = false;
  if (storage && config.localKey) {
    var local = null;
    try {
      local = JSON.parse(storage.getItem(config.localKey) || "null");
    } catch (error) {
      local = null;
    }
    if (local && local.base === openedVersion() && local.fields !== fields()) {
      fill(JSON.parse(local.fields));
      unsaved = fromBrowser = true;
      var localNotice = document.getElementById("article-editing-local");
      localNotice.querySelector("p").textContent = config.messages.local;
      localNotice.hidden = false;
    } else if (local) {
      forgetLocally(); // the article was saved since, or the server has the same text
    }
  } else {
    storage = null;
  }

  var opened = fields(); // what the page opened with: unsaved only if restored or refused
  var acknowledged = fromBrowser ? "" : opened; // what the server has
  var sending = null; // what a round has sent and the server not yet answered
  var leftWith = null; // what leaving sent (visibilitychange and pagehide both come)
  var submitting = false;
  var holdsLock = true;

  function changed() {
    return unsaved || fields() !== opened;
  }

  function autosave(leaving) {
    var current = fields();
    // On leaving, a round still under way is sent again: the page's own requests are
    // cancelled with it, a keepalive request is not.
    if (current === acknowledged || current === (leaving ? leftWith : sending)) {
      return;
    }
    if (leaving) {
      leftWith = current;
    } else {
      sending = current;
    }
    if (storage) {
      keepLocally(current);
    }
    send(config.autosaveUrl, { fields: JSON.parse(current) }, leaving).then(
      function (answer) {
        acknowledged = current;
        if (storage) {
          forgetLocally(current);
        }
        status.textContent = say(config.messages.saved, { time: answer.saved_at_display });
      },
      function (error) {
        status.textContent =
          error instanceof TypeError
            ? config.messages.offline
            : say(config.messages.failed, { error: error.message });
      }
    ).then(function () {
      if (sending === current) {
        sending = null; // answered or failed: the next round may send it (again)
      }
    });
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
    if (storage) {
      forgetLocally(); // the text goes with the form; a refused save keeps it on the server
    }
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
