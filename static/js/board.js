/*
 * Kanban board: drag a card to another column (SortableJS) or pick a stage in the card's
 * select and press Move (keyboard). Both post the card's move form with the version the
 * page showed; the server answers JSON with the fresh card and column totals. A 412 means
 * someone moved or changed the deal meanwhile: the card goes where it really is and the
 * user is told. Dropping on the Lost column asks for the reason first.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function flash(text, level) {
    var stack = document.getElementById("flash-stack");
    if (!stack || !text) {
      return;
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-" + level + " alert-dismissible fade show";
    alert.setAttribute("role", level === "success" ? "status" : "alert");
    var body = document.createElement("div");
    body.className = "alert-body";
    body.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Dismiss");
    alert.append(body, close);
    stack.append(alert);
    if (level === "success") {
      window.setTimeout(function () { alert.remove(); }, 5000);
    }
  }

  function columnBody(board, stageId) {
    return board.querySelector('.kanban-col-body[data-stage="' + stageId + '"]');
  }

  function updateColumns(board, columns) {
    if (!columns) {
      return;
    }
    board.querySelectorAll("[data-col-count]").forEach(function (el) {
      var col = columns[el.getAttribute("data-col-count")];
      el.textContent = col ? col.count : 0;
      el.setAttribute("aria-label", (col ? col.count : 0) + " deals");
    });
    board.querySelectorAll("[data-col-total]").forEach(function (el) {
      var col = columns[el.getAttribute("data-col-total")];
      el.textContent = col ? col.total : el.textContent.replace(/[\d,.]+$/, "0");
    });
  }

  function placeCard(board, html, stageId) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    var old = document.getElementById(fresh.id);
    var target = columnBody(board, stageId);
    if (old) {
      old.remove();
    }
    if (target) {
      target.prepend(fresh);
      if (window.htmx) {
        window.htmx.process(fresh);
      }
    }
    return fresh;
  }

  function move(board, card, stageId, lostReason, revert) {
    var form = card.querySelector("form.kanban-card-move");
    var body = new URLSearchParams(new FormData(form));
    body.set("stage", stageId);
    if (lostReason) {
      body.set("lost_reason", lostReason);
    }
    new URLSearchParams(board.getAttribute("data-filters") || "").forEach(function (value, key) {
      body.append(key, value);
    });
    card.classList.add("is-saving");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: body,
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (answer) {
        var data = answer.data;
        card.classList.remove("is-saving");
        if (data.card) {
          var fresh = placeCard(board, data.card, data.stage);
          if (answer.status !== 200) {
            fresh.classList.add("is-conflict");
          }
        } else {
          revert();
        }
        updateColumns(board, data.columns);
        var level = answer.status === 200 ? "success" : answer.status === 412 ? "warning" : "danger";
        flash(data.message, level);
      })
      .catch(function () {
        card.classList.remove("is-saving");
        revert();
        flash("The server could not be reached. Check your connection and try again.", "warning");
      });
  }

  function askLostReason(onChosen, onCancel) {
    var modalEl = document.getElementById("lost-reason-modal");
    if (!modalEl || !window.bootstrap) {
      onCancel();
      return;
    }
    var modal = window.bootstrap.Modal.getOrCreateInstance(modalEl);
    var form = document.getElementById("lost-reason-form");
    var select = document.getElementById("lost-reason-select");
    var chosen = false;
    select.value = "";
    function submit(event) {
      event.preventDefault();
      if (!select.value) {
        select.focus();
        return;
      }
      chosen = true;
      modal.hide();
      onChosen(select.value);
    }
    function hidden() {
      form.removeEventListener("submit", submit);
      modalEl.removeEventListener("hidden.bs.modal", hidden);
      if (!chosen) {
        onCancel();
      }
    }
    form.addEventListener("submit", submit);
    modalEl.addEventListener("hidden.bs.modal", hidden);
    modal.show();
  }

  function request(board, card, stageId, kind, revert) {
    if (kind === "lost") {
      askLostReason(function (reason) {
        move(board, card, stageId, reason, revert);
      }, revert);
    } else {
      move(board, card, stageId, "", revert);
    }
  }

  function init() {
    var board = document.querySelector("[data-board]");
    if (!board) {
      return;
    }
    if (window.Sortable) {
      board.querySelectorAll(".kanban-col-body").forEach(function (body) {
        window.Sortable.create(body, {
          group: "board",
          draggable: ".kanban-card",
          filter: "select, button, input, .kanban-more",
          preventOnFilter: false,
          sort: false,
          animation: 120,
          onEnd: function (event) {
            if (event.from === event.to) {
              return;
            }
            var card = event.item;
            var from = event.from;
            var next = from.children[event.oldIndex] || null;
            var revert = function () {
              from.insertBefore(card, next);
            };
            request(board, card, event.to.getAttribute("data-stage"), event.to.getAttribute("data-kind"), revert);
          },
        });
      });
    }
    /* Keyboard path: the card's stage select + Move button. */
    board.addEventListener("submit", function (event) {
      var form = event.target.closest("form.kanban-card-move");
      if (!form) {
        return;
      }
      event.preventDefault();
      var card = form.closest(".kanban-card");
      var select = form.querySelector("select[name=stage]");
      var option = select.options[select.selectedIndex];
      if (select.value === card.getAttribute("data-stage")) {
        return;
      }
      var home = card.parentNode;
      var next = card.nextSibling;
      var revert = function () {
        home.insertBefore(card, next);
        select.value = card.getAttribute("data-stage");
      };
      request(board, card, select.value, option.getAttribute("data-kind"), revert);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
