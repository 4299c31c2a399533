/*
 * Kanban board: drag a card to another column (SortableJS) or press the card's Move button,
 * which opens the board's one shared stage menu (#stage-menu) beside it: arrow keys, Home
 * and End move between stages, Enter or a click moves the deal, Escape or Tab closes the
 * menu and focus returns to the button. Both paths post the move with the card's
 * version (the one the page showed); the server answers JSON with the fresh card and column totals,
 * and after a move from the menu focus lands on the moved card's Move button. A 412 means
 * someone moved or changed the deal meanwhile: the card goes where it really is and the
 * user is told. Dropping on the Lost column asks for the reason first. Without JavaScript,
 * Move is a link to the deal's page.
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

  function move(board, card, stageId, lostReason, revert, refocus) {
    /* The board's move URL for deal 0, made this card's: /deals/0/move/ -> /deals/<id>/move/. */
    var action = board.getAttribute("data-move-url").replace(/\/0\/move\/$/, "/" + card.getAttribute("data-deal") + "/move/");
    var body = new URLSearchParams();
    body.set("version", card.getAttribute("data-version"));
    body.set("stage", stageId);
    if (lostReason) {
      body.set("lost_reason", lostReason);
    }
    new URLSearchParams(board.getAttribute("data-filters") || "").forEach(function (value, key) {
      body.append(key, value);
    });
    card.classList.add("is-saving");
    fetch(action, {
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
        var focusOn = null;
        if (data.card) {
          var fresh = placeCard(board, data.card, data.stage);
          if (answer.status !== 200) {
            fresh.classList.add("is-conflict");
          }
          focusOn = fresh.querySelector(".kanban-move");
        } else {
          revert();
          focusOn = card.querySelector(".kanban-move");
        }
        if (refocus && focusOn) {
          focusOn.focus();
          focusOn.scrollIntoView({ block: "nearest", inline: "nearest" });
        }
        updateColumns(board, data.columns);
        var level = answer.status === 200 ? "success" : answer.status === 412 ? "warning" : "danger";
        flash(data.message, level);
      })
      .catch(function () {
        card.classList.remove("is-saving");
        revert();
        if (refocus && card.querySelector(".kanban-move")) {
          card.querySelector(".kanban-move").focus();
        }
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

  function request(board, card, stageId, kind, revert, refocus) {
    if (kind === "lost") {
      askLostReason(function (reason) {
        move(board, card, stageId, reason, revert, refocus);
      }, function () {
        revert();
        if (refocus && card.querySelector(".kanban-move")) {
          card.querySelector(".kanban-move").focus();
        }
      });
    } else {
      move(board, card, stageId, "", revert, refocus);
    }
  }

  /* The one stage menu, opened beside the card whose Move button was pressed. */
  function stageMenu(board) {
    var menu = document.getElementById("stage-menu");
    if (!menu) {
      return null;
    }
    document.body.appendChild(menu); /* outside the scrolling board, above every column */
    var items = Array.prototype.slice.call(menu.querySelectorAll(".stage-menu-item"));
    var opener = null;

    function close(returnFocus) {
      if (menu.hidden) {
        return;
      }
      menu.hidden = true;
      if (opener) {
        opener.setAttribute("aria-expanded", "false");
        if (returnFocus) {
          opener.focus();
        }
      }
      opener = null;
    }

    function open(button) {
      var card = button.closest(".kanban-card");
      var current = card.getAttribute("data-stage");
      close(false);
      opener = button;
      var focusItem = items[0];
      items.forEach(function (item) {
        var isCurrent = item.getAttribute("data-move-to") === current;
        item.setAttribute("aria-checked", isCurrent ? "true" : "false");
        if (isCurrent) {
          focusItem = item;
        }
      });
      menu.setAttribute("aria-label", "Move " + (card.getAttribute("aria-label") || "deal") + " to stage");
      menu.hidden = false;
      var rect = button.getBoundingClientRect();
      var top = rect.bottom + window.scrollY + 4;
      var left = rect.left + window.scrollX;
      var width = menu.offsetWidth;
      if (left + width > window.scrollX + document.documentElement.clientWidth - 8) {
        left = Math.max(window.scrollX + 8, rect.right + window.scrollX - width);
      }
      if (rect.bottom + menu.offsetHeight + 8 > window.innerHeight) {
        top = Math.max(window.scrollY + 8, rect.top + window.scrollY - menu.offsetHeight - 4);
      }
      menu.style.top = top + "px";
      menu.style.left = left + "px";
      button.setAttribute("aria-expanded", "true");
      focusItem.focus();
    }

    function choose(item) {
      var button = opener;
      if (!button) {
        return;
      }
      var card = button.closest(".kanban-card");
      close(true);
      var stageId = item.getAttribute("data-move-to");
      if (!card || stageId === card.getAttribute("data-stage")) {
        return;
      }
      var home = card.parentNode;
      var next = card.nextSibling;
      var revert = function () {
        if (card.parentNode !== home) {
          home.insertBefore(card, next);
        }
      };
      request(board, card, stageId, item.getAttribute("data-kind"), revert, true);
    }

    menu.addEventListener("click", function (event) {
      var item = event.target.closest(".stage-menu-item");
      if (item) {
        choose(item);
      }
    });
    menu.addEventListener("keydown", function (event) {
      var index = items.indexOf(document.activeElement);
      var target = null;
      if (event.key === "ArrowDown") {
        target = items[(index + 1) % items.length];
      } else if (event.key === "ArrowUp") {
        target = items[(index - 1 + items.length) % items.length];
      } else if (event.key === "Home") {
        target = items[0];
      } else if (event.key === "End") {
        target = items[items.length - 1];
      } else if (event.key === "Escape") {
        event.preventDefault();
        close(true);
        return;
      } else if (event.key === "Tab") {
        event.preventDefault();
        close(true);
        return;
      }
      if (target) {
        event.preventDefault();
        target.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (!menu.hidden && !menu.contains(event.target) && event.target.closest(".kanban-move") !== opener) {
        close(false);
      }
    });
    window.addEventListener("resize", function () { close(false); });
    board.addEventListener("scroll", function () { close(false); }, true);

    return {
      toggle: function (button) {
        if (opener === button && !menu.hidden) {
          close(true);
        } else {
          open(button);
        }
      },
    };
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
          filter: "select, button, input, .kanban-more, .kanban-expand, .kanban-move",
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
    /* "Show deals" and "Load more" replace their button with cards: focus the first new card
       so a keyboard user is not dropped back to the top of the page. */
    var pendingFocus = null;
    board.addEventListener("htmx:beforeSwap", function (event) {
      var elt = event.detail.elt;
      if (elt && elt.matches && elt.matches(".kanban-expand, .kanban-more")) {
        var body = elt.closest(".kanban-col-body");
        pendingFocus = body ? { body: body, before: body.querySelectorAll(".kanban-card").length } : null;
      }
    });
    board.addEventListener("htmx:afterSettle", function () {
      if (!pendingFocus) {
        return;
      }
      var card = pendingFocus.body.querySelectorAll(".kanban-card")[pendingFocus.before];
      pendingFocus = null;
      if (card && card.querySelector(".kanban-card-title")) {
        card.querySelector(".kanban-card-title").focus();
      }
    });

    /* Keyboard and pointer path: the card's Move button opens the shared stage menu. */
    var menu = stageMenu(board);
    board.addEventListener("click", function (event) {
      var button = event.target.closest(".kanban-move");
      if (!button || !menu) {
        return;
      }
      event.preventDefault();
      menu.toggle(button);
    });
    board.addEventListener("keydown", function (event) {
      var button = event.target.closest(".kanban-move");
      if (button && menu && (event.key === " " || event.key === "ArrowDown")) {
        event.preventDefault();
        menu.toggle(button);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
