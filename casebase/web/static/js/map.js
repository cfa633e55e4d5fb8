/* casebase map view (docs/contract.md section 10): the current search's cases on a Leaflet map.
   The points come from GET /api/cases.geojson (so they show without the tiles), overlapping
   ones are clustered (leaflet.markercluster), and a click (or Enter) on a point opens the case.
   When static/js/search.js swaps in new results it fires "casebase:swapped", and the points
   follow the search. No inline script or style: CSP script-src and style-src 'self'. */
(function () {
  "use strict";

  var DENMARK = [[54.55, 8.0], [57.76, 15.2]];
  var MAX_ZOOM = 18;
  var element = document.getElementById("map");
  if (!element || !window.L || !L.markerClusterGroup || !window.fetch) {
    return;
  }
  var data = element.dataset;
  var fallback = element.querySelector(".map-fallback");
  if (fallback) {
    fallback.remove();
  }
  element.classList.add("map-ready");

  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  var attribution = escapeHtml(data.attribution || "");
  if (data.attributionUrl) {
    attribution = '<a href="' + escapeHtml(data.attributionUrl) + '">' + attribution + "</a>";
  }
  var map = L.map(element, { zoomControl: false, maxZoom: MAX_ZOOM });
  L.control.zoom({ zoomInTitle: data.textZoomIn, zoomOutTitle: data.textZoomOut }).addTo(map);
  map.fitBounds(DENMARK);
  L.tileLayer(data.tiles, { attribution: attribution, maxZoom: MAX_ZOOM }).addTo(map);

  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    return L.divIcon({
      html: "<span>" + count + '<span class="visually-hidden"> ' + escapeHtml(data.textCases) +
        "</span></span>",
      className: "map-cluster map-cluster-" + size,
      iconSize: L.point(40, 40)
    });
  }

  var clusters = L.markerClusterGroup({ iconCreateFunction: clusterIcon, showCoverageOnHover: false });
  map.addLayer(clusters);
  clusters.on("clusterkeypress", function (event) {
    if (activates(event)) {
      event.layer.zoomToBounds({ padding: [24, 24] });
    }
  });
  var status = document.getElementById("map-status");
  var controller = null;

  function marker(feature) {
    var coordinates = feature.geometry.coordinates;
    var props = feature.properties;
    var title = props.title + (props.approximate ? " (" + data.textApproximate + ")" : "");
    var point = L.marker([coordinates[1], coordinates[0]], {
      title: title,
      keyboard: true,
      icon: L.divIcon({
        className: "map-pin " + (props.approximate ? "map-pin-centre" : "map-pin-own"),
        iconSize: L.point(18, 18)
      })
    });
    point.on("click", function () { window.location.assign(props.url); });
    point.on("keypress", function (event) {
      if (activates(event)) {
        window.location.assign(props.url);
      }
    });
    return point;
  }

  /* Leaflet's markers are buttons (role, tabindex) but only a click opens them: Enter and the
     space bar do too. */
  function activates(event) {
    var key = event.originalEvent && event.originalEvent.key;
    return key === "Enter" || key === " ";
  }

  function show(collection) {
    var points = collection.features.map(marker);
    clusters.clearLayers();
    clusters.addLayers(points);
    /* Without animation: the view is final at once, so a point is never clicked in flight
       (the cluster layer replaces its markers when a zoom ends). */
    if (points.length) {
      map.fitBounds(clusters.getBounds(), { padding: [24, 24], maxZoom: 12, animate: false });
    } else {
      map.fitBounds(DENMARK, { animate: false });
    }
    element.setAttribute("data-points", String(points.length));
    if (status) {
      status.textContent = data.textShown.replace("{count}", String(points.length));
    }
  }

  /* Fetch the points of the search the page shows now (its results carry their GeoJSON URL). */
  function load() {
    var results = document.getElementById("results");
    var url = (results && results.getAttribute("data-geojson")) || data.geojson;
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    fetch(url, { signal: controller.signal, headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(show)
      .catch(function (error) {
        if (error.name !== "AbortError" && status) {
          status.textContent = data.textFailed;
        }
      });
  }

  document.addEventListener("casebase:swapped", load);
  load();
})();
