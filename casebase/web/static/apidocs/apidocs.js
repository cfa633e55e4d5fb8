// The API documentation page: reads the OpenAPI description the app serves and shows its
// operations, parameters, bodies, responses (with example bodies) and schemas. Self-contained:
// no library, no CDN, no inline script, and text only ever set as text (never as HTML).
"use strict";

(function () {
  var METHODS = ["get", "post", "put", "delete", "patch"];
  var MAX_DEPTH = 6;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // Descriptions use `backticks` for code, as Markdown does; the rest stays plain text.
  function prose(tag, text) {
    return el(tag, {}, String(text || "").split("`").map(function (part, i) {
      return i % 2 ? el("code", {}, [part]) : part;
    }));
  }

  function resolve(spec, object) {
    var seen = 0;
    while (object && object.$ref && seen < 20) {
      var path = object.$ref.replace(/^#\//, "").split("/");
      object = path.reduce(function (node, key) { return node ? node[key] : undefined; }, spec);
      seen += 1;
    }
    return object || {};
  }

  function refName(object) {
    return object && object.$ref ? object.$ref.split("/").pop() : null;
  }

  function typeText(spec, schema) {
    var name = refName(schema);
    schema = resolve(spec, schema);
    var text = name || schema.type || "any";
    if (schema.type === "array") text = "list of " + typeText(spec, schema.items || {});
    if (schema.format) text += " (" + schema.format + ")";
    if (schema.nullable) text += ", or null";
    return text;
  }

  function rulesText(schema) {
    var rules = [];
    if (schema.enum) rules.push("one of: " + schema.enum.filter(function (v) {
      return v !== null;
    }).join(", "));
    if (schema.items && schema.items.enum) rules.push("each one of: " + schema.items.enum.join(", "));
    if (schema.minimum !== undefined) rules.push("at least " + schema.minimum);
    if (schema.maximum !== undefined) rules.push("at most " + schema.maximum);
    if (schema.minLength !== undefined) rules.push("at least " + schema.minLength + " characters");
    if (schema.maxLength !== undefined) rules.push("at most " + schema.maxLength + " characters");
    if (schema.minItems !== undefined) rules.push("at least " + schema.minItems + " item(s)");
    if (schema.pattern) rules.push("matches " + schema.pattern);
    if (schema.default !== undefined && schema.default !== null) {
      rules.push("default " + schema.default);
    }
    return rules.join("; ");
  }

  function example(spec, schema, depth) {
    schema = resolve(spec, schema);
    if (depth > MAX_DEPTH) return null;
    if (schema.example !== undefined) return schema.example;
    if (schema.enum) return schema.enum[0];
    switch (schema.type) {
      case "object": {
        var out = {};
        Object.keys(schema.properties || {}).forEach(function (key) {
          out[key] = example(spec, schema.properties[key], depth + 1);
        });
        if (!schema.properties && schema.additionalProperties) {
          out.key = example(spec, schema.additionalProperties, depth + 1);
        }
        return out;
      }
      case "array": return [example(spec, schema.items || {}, depth + 1)];
      case "integer": return schema.minimum !== undefined ? schema.minimum : 0;
      case "number": return schema.minimum !== undefined ? schema.minimum : 0.5;
      case "boolean": return true;
      case "string":
        if (schema.format === "binary") return "<file>";
        if (schema.format === "date-time") return "2024-01-31T12:00:00+00:00";
        return "string";
      default: return null;
    }
  }

  function fieldTable(spec, schema) {
    schema = resolve(spec, schema);
    var required = schema.required || [];
    var rows = Object.keys(schema.properties || {}).map(function (key) {
      var property = schema.properties[key];
      var resolved = resolve(spec, property);
      return el("tr", {}, [
        el("td", {}, [el("code", {}, [key])]),
        el("td", {}, [typeText(spec, property)]),
        el("td", {}, [required.indexOf(key) >= 0 ? "required" : ""]),
        el("td", {}, [[resolved.description, rulesText(resolved)].filter(Boolean).join(" — ")])
      ]);
    });
    if (!rows.length) return el("p", {}, [typeText(spec, schema)]);
    return el("table", {}, [
      el("thead", {}, [el("tr", {}, ["field", "type", "", "notes"].map(function (h) {
        return el("th", {}, [h]);
      }))]),
      el("tbody", {}, rows)
    ]);
  }

  function contentBlock(spec, content) {
    var nodes = [];
    Object.keys(content || {}).forEach(function (type) {
      var schema = content[type].schema || {};
      var name = refName(schema) || typeText(spec, schema);
      nodes.push(el("p", {}, [el("code", {}, [type]), " — ",
                              name.indexOf(" ") < 0 ? el("a", {href: "#schema-" + name}, [name])
                                                    : name]));
      var shown = example(spec, schema, 0);
      if (type.indexOf("json") >= 0 && shown !== null && typeof shown === "object") {
        nodes.push(el("pre", {}, [JSON.stringify(shown, null, 2)]));
      }
    });
    return nodes;
  }

  function parametersBlock(spec, parameters) {
    if (!parameters.length) return [];
    var rows = parameters.map(function (parameter) {
      parameter = resolve(spec, parameter);
      var schema = resolve(spec, parameter.schema || {});
      return el("tr", {}, [
        el("td", {}, [el("code", {}, [parameter.name])]),
        el("td", {}, [parameter.in]),
        el("td", {}, [typeText(spec, parameter.schema || {})]),
        el("td", {}, [parameter.required ? "required" : ""]),
        el("td", {}, [[parameter.description, rulesText(schema)].filter(Boolean).join(" — ")])
      ]);
    });
    return [el("h4", {}, ["Parameters"]), el("table", {}, [
      el("thead", {}, [el("tr", {}, ["name", "in", "type", "", "notes"].map(function (h) {
        return el("th", {}, [h]);
      }))]),
      el("tbody", {}, rows)
    ])];
  }

  function responsesBlock(spec, responses) {
    var nodes = [el("h4", {}, ["Responses"])];
    Object.keys(responses).sort().forEach(function (status) {
      var response = resolve(spec, responses[status]);
      var line = prose("p", " " + (response.description || ""));
      line.insertBefore(el("span", {class: "status"}, [status]), line.firstChild);
      nodes.push(line);
      Object.keys(response.headers || {}).forEach(function (header) {
        nodes.push(el("p", {}, ["Header ", el("code", {}, [header]), ": ",
                                response.headers[header].description || ""]));
      });
      nodes = nodes.concat(contentBlock(spec, response.content));
    });
    return nodes;
  }

  function operationBlock(spec, path, method, operation, pathParameters) {
    var id = "op-" + method + path.replace(/[^A-Za-z0-9]+/g, "-");
    var summary = el("summary", {}, [el("h3", {}, [
      el("span", {class: "method method-" + method}, [method.toUpperCase()]),
      el("span", {class: "path"}, [path]),
      el("span", {class: "summary"}, [operation.summary || ""]),
      operation.security ? el("span", {class: "lock"}, ["(needs a bearer token)"]) : null
    ])]);
    var body = [summary];
    if (operation.description) body.push(prose("p", operation.description));
    body = body.concat(parametersBlock(spec, (pathParameters || []).concat(
      operation.parameters || [])));
    if (operation.requestBody) {
      var request = resolve(spec, operation.requestBody);
      body.push(el("h4", {}, ["Request body"]));
      if (request.description) body.push(prose("p", request.description));
      body = body.concat(contentBlock(spec, request.content));
    }
    body = body.concat(responsesBlock(spec, operation.responses || {}));
    return el("details", {class: "operation", id: id}, body);
  }

  function render(root, spec) {
    var info = spec.info || {};
    root.textContent = "";
    root.appendChild(el("h1", {}, [(info.title || "API") + " " + (info.version || "")]));
    if (info.description) root.appendChild(prose("p", info.description));
    root.appendChild(el("p", {}, ["OpenAPI " + spec.openapi + ": ",
      el("a", {href: root.getAttribute("data-spec")}, [root.getAttribute("data-spec")])]));
    var toc = el("ul", {}, []);
    root.appendChild(el("nav", {"aria-label": "Operations"}, [el("h2", {}, ["Operations"]), toc]));
    var list = el("section", {}, []);
    Object.keys(spec.paths || {}).forEach(function (path) {
      var item = spec.paths[path];
      METHODS.forEach(function (method) {
        if (!item[method]) return;
        var block = operationBlock(spec, path, method, item[method], item.parameters);
        toc.appendChild(el("li", {}, [el("a", {href: "#" + block.id}, [
          method.toUpperCase() + " " + path]), " — " + (item[method].summary || "")]));
        list.appendChild(block);
      });
    });
    root.appendChild(list);
    var schemas = (spec.components || {}).schemas || {};
    root.appendChild(el("h2", {}, ["Schemas"]));
    Object.keys(schemas).forEach(function (name) {
      root.appendChild(el("section", {id: "schema-" + name}, [
        el("h3", {}, [name]), fieldTable(spec, schemas[name])]));
    });
  }

  function start() {
    var root = document.getElementById("apidocs");
    if (!root) return;
    fetch(root.getAttribute("data-spec"), {headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (spec) { render(root, spec); })
      .catch(function (error) {
        root.appendChild(el("p", {class: "error"}, [
          "The API description could not be loaded: " + error.message]));
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
