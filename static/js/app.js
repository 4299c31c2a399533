/*
 * Behaviour shared by every page. No framework, no inline handlers: the CSP allows
 * scripts from 'self' only, so pages opt in with data- attributes (docs/ui.md).
 */
(function () {
  "use strict";

  var FLASH_DISMISS_MS = 6000;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* htmx: every request carries the CSRF token. */
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  /* htmx: a failed request tells the user instead of failing silently. */
  function flash(text, level) {
    var stack = document.getElementById("flash-stack");
    if (!stack) {
      return;
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-" + (level || "danger") + " alert-dismissible fade show";
    var icon = document.createElement("i");
    icon.className = "bi bi-exclamation-octagon";
    icon.setAttribute("aria-hidden", "true");
    var body = document.createElement("div");
    body.className = "alert-body";
    body.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.append(icon, body, close);
    stack.append(alert);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text = "Something went wrong (" + status + "). Please try again.";
    if (status === 403) {
      text = "You do not have permission to do that.";
    } else if (status === 404) {
      text = "That record no longer exists or is not visible to you.";
    } else if (status === 409) {
      text = "Someone else changed this record. Reload the page to see the latest version.";
    } else if (status === 429) {
      text = "Too many requests. Wait a moment and try again.";
    }
    flash(text, "danger");
  });

  document.addEventListener("htmx:sendError", function () {
    flash("The server could not be reached. Check your connection and try again.", "warning");
  });

  /* Flash messages: success/info fade out after a few seconds; warnings and errors stay
   * until dismissed, and so does any alert with class "alert-sticky" (messages
   * extra_tags) or data-autodismiss="false". Hovering or focusing pauses the timer. */
  function closeAlert(alert) {
    if (window.bootstrap && window.bootstrap.Alert) {
      window.bootstrap.Alert.getOrCreateInstance(alert).close();
    } else {
      alert.remove();
    }
  }

  function scheduleDismiss(alert) {
    var sticky = alert.dataset.autodismiss === "false" || alert.classList.contains("alert-sticky");
    if (sticky || alert.dataset.dismissScheduled) {
      return;
    }
    alert.dataset.dismissScheduled = "true";
    var timer = null;
    var start = function () {
      timer = window.setTimeout(function () {
        closeAlert(alert);
      }, FLASH_DISMISS_MS);
    };
    var stop = function () {
      window.clearTimeout(timer);
    };
    alert.addEventListener("mouseenter", stop);
    alert.addEventListener("mouseleave", start);
    alert.addEventListener("focusin", stop);
    alert.addEventListener("focusout", start);
    start();
  }

  function initFlashes(root) {
    var selector = ".flash-stack .alert-success, .flash-stack .alert-info";
    root.querySelectorAll(selector).forEach(scheduleDismiss);
  }

  /* data-confirm="Delete this lead?" on a form, button or link asks first. */
  document.addEventListener(
    "click",
    function (event) {
      var el = event.target.closest("[data-confirm]");
      if (!el || el.tagName === "FORM") {
        return;
      }
      if (!window.confirm(el.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) {
        return;
      }
      // A submit button with its own data-confirm was already confirmed on click.
      if (event.submitter && event.submitter.hasAttribute("data-confirm")) {
        return;
      }
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  /* data-autosubmit on a select (or any input) submits its form on change. */
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.hasAttribute || !el.hasAttribute("data-autosubmit") || !el.form) {
      return;
    }
    if (typeof el.form.requestSubmit === "function") {
      el.form.requestSubmit();
    } else {
      el.form.submit();
    }
  });

  /* Filters that fold on phones: [data-filters-toggle="<form id>"] opens and closes the
   * form and shows how many filters are set. */
  function activeFilters(form) {
    var count = 0;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "submit" || el.name === "sort") return;
      if ((el.type === "checkbox" || el.type === "radio") ? el.checked : el.value) count += 1;
    });
    return count;
  }

  document.querySelectorAll("[data-filters-toggle]").forEach(function (button) {
    var form = document.getElementById(button.getAttribute("data-filters-toggle"));
    if (!form) return;
    var badge = button.querySelector("[data-filters-count]");
    var count = activeFilters(form);
    if (badge && count) {
      badge.textContent = String(count);
      badge.hidden = false;
    }
    button.addEventListener("click", function () {
      var open = form.classList.toggle("is-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });

  /* "/" focuses the global search, as in most web apps. */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
      return;
    }
    var search = document.getElementById("global-search");
    if (search) {
      event.preventDefault();
      search.focus();
      search.select();
    }
  });

  /* The top bar's suggestions (combobox + listbox, filled by htmx from /search/suggest/):
     arrows move through the options, Enter opens the active one, Escape closes. */
  function initSearchSuggest() {
    var input = document.getElementById("global-search");
    var list = document.getElementById("global-search-suggestions");
    if (!input || !list) {
      return;
    }
    function options() {
      return Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function activate(option) {
      options().forEach(function (o) {
        o.setAttribute("aria-selected", o === option ? "true" : "false");
      });
      if (option) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    list.addEventListener("htmx:afterSwap", function () {
      var open = options().length > 0 && input.value.trim() !== "";
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      activate(null);
    });
    input.addEventListener("input", function () {
      if (input.value.trim() === "") {
        close();
      }
    });
    input.addEventListener("keydown", function (event) {
      var all = options();
      var current = all.indexOf(list.querySelector('[aria-selected="true"]'));
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden || !all.length) {
          return;
        }
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        activate(all[(current + step + all.length) % all.length]);
      } else if (event.key === "Enter" && current >= 0 && !list.hidden) {
        event.preventDefault();
        window.location.assign(all[current].getAttribute("data-href"));
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
    list.addEventListener("mousedown", function (event) {
      event.preventDefault(); /* keep focus in the box; the click follows the link */
    });
  }

  function init() {
    initFlashes(document);
    initSearchSuggest();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }

  /* Messages that arrive in htmx swaps (out-of-band into #flash-stack) fade out too. */
  document.addEventListener("htmx:afterSettle", function () {
    initFlashes(document);
  });
})();
