/* casebase search page: results follow typing and ticking; the URL keeps the whole state.
   Without this file the page works as a plain GET form. No inline script: CSP script-src 'self'. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;
  var FRAGMENT_HEADER = "X-Casebase-Fragment";
  var WIDE_SCREEN = "(min-width: 48.01rem)";

  document.documentElement.classList.add("js");

  var form = document.getElementById("search-form");
  if (!form || !window.fetch || !window.history || !window.URLSearchParams) {
    return;
  }
  var timer = null;
  var controller = null;

  function fold(text) {
    return text.toLocaleLowerCase("da").replace(/aa/g, "å").trim();
  }

  /* The URL of the form's current state: empty values are left out, like the server does. */
  function formUrl() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && value.trim() !== "") {
        params.append(name, value);
      }
    });
    var query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  /* Controls outside the swapped parts follow the URL (after chip removal, back, forward). */
  function syncControls(url) {
    var params = new URL(url, window.location.href).searchParams;
    ["q", "year_from", "year_to", "sort"].forEach(function (name) {
      var control = document.getElementById(name);
      if (control && control !== document.activeElement) {
        control.value = params.get(name) || "";
      }
    });
  }

  function filterMunicipalities() {
    var box = document.getElementById("municipality-filter");
    if (!box) {
      return;
    }
    box.closest(".facet-filter").hidden = false;
    var wanted = fold(box.value);
    document.querySelectorAll(".region-group").forEach(function (group) {
      var regionMatches = fold(group.getAttribute("data-label") || "").indexOf(wanted) !== -1;
      var shown = 0;
      group.querySelectorAll("[data-municipality]").forEach(function (item) {
        var match = !wanted || regionMatches ||
          fold(item.getAttribute("data-municipality")).indexOf(wanted) !== -1;
        item.hidden = !match;
        shown += match ? 1 : 0;
      });
      group.hidden = Boolean(wanted) && !regionMatches && shown === 0;
      var details = group.querySelector(".municipality-details");
      if (details && wanted) {
        details.open = shown > 0;
      }
    });
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var active = document.activeElement;
    var activeId = active && active.id;
    var filterBox = document.getElementById("municipality-filter");
    var filterText = filterBox ? filterBox.value : "";
    document.querySelectorAll("[data-swap]").forEach(function (old) {
      var replacement = fresh.getElementById(old.id);
      if (replacement) {
        old.replaceWith(document.importNode(replacement, true));
      }
    });
    var newFilter = document.getElementById("municipality-filter");
    if (newFilter) {
      newFilter.value = filterText;
    }
    filterMunicipalities();
    if (activeId && !document.body.contains(active)) {
      var again = document.getElementById(activeId);
      if (again) {
        again.focus();
      }
    }
    if (fresh.title) {
      document.title = fresh.title;
    }
    var results = document.getElementById("results");
    var live = document.getElementById("live");
    if (results && live) {
      live.textContent = results.getAttribute("data-live") || "";
    }
    document.dispatchEvent(new CustomEvent("casebase:swapped")); /* the map follows (map.js) */
  }

  /* Fetch the page's changing parts for a URL and swap them in; history: "push" | "replace". */
  function load(url, history) {
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    var headers = {};
    headers[FRAGMENT_HEADER] = "1";
    document.body.classList.add("loading");
    fetch(url, { headers: headers, signal: controller.signal, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        swap(html);
        if (history === "push") {
          window.history.pushState({ casebase: true }, "", url);
        } else if (history === "replace") {
          window.history.replaceState({ casebase: true }, "", url);
        }
        syncControls(url);
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          window.location.assign(url); // fall back to an ordinary page load
        }
      })
      .finally(function () { document.body.classList.remove("loading"); });
  }

  function later(history) {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { load(formUrl(), history); }, DEBOUNCE_MS);
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.id === "municipality-filter") {
      filterMunicipalities();
    } else if (target.form === form && (target.type === "search" || target.type === "number")) {
      later("replace");
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.form === form && (target.type === "checkbox" || target.tagName === "SELECT")) {
      window.clearTimeout(timer);
      load(formUrl(), "push");
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    load(formUrl(), "push");
  });

  /* Chips, pagination, suggestion and chart bars are links to other states of this page. */
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-nav], svg a");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey ||
        event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var href = link.getAttribute("href");
    if (!href) {
      return;
    }
    event.preventDefault();
    window.clearTimeout(timer);
    load(href, "push");
    if (link.closest(".pagination")) {
      document.getElementById("main").focus();
    }
  });

  window.addEventListener("popstate", function () {
    syncControls(window.location.href);
    load(window.location.href, null);
  });

  /* Browsers without ::details-content: open the filters on wide screens. */
  var toggle = document.querySelector(".filters-toggle");
  if (toggle && window.matchMedia && !CSS.supports("selector(::details-content)") &&
      window.matchMedia(WIDE_SCREEN).matches) {
    toggle.open = true;
  }

  window.history.replaceState({ casebase: true }, "", window.location.href);
  filterMunicipalities();
})();
