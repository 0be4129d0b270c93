// Renders the API's OpenAPI document as a readable page; no external code, no inline script
// (the site's Content-Security-Policy allows only our own files). Text is set with
// textContent only, so nothing in the document can inject markup.
"use strict";

(function () {
  const main = document.getElementById("main");
  const status = document.getElementById("api-status");

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function refName(ref) {
    return ref.split("/").pop();
  }

  function typeText(schema) {
    if (!schema) return "";
    if (schema.$ref) return refName(schema.$ref);
    if (schema.enum) return schema.enum.join(" | ");
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.anyOf) return schema.anyOf.map(typeText).join(" | ");
    if (schema.allOf) return schema.allOf.map(typeText).join(" & ");
    if (schema.type === "array") return typeText(schema.items) + "[]";
    let text = schema.type || "";
    if (schema.format) text += " (" + schema.format + ")";
    const limits = [];
    if (schema.minimum !== undefined) limits.push("≥ " + schema.minimum);
    if (schema.maximum !== undefined) limits.push("≤ " + schema.maximum);
    if (schema.maxLength !== undefined) limits.push("最大 " + schema.maxLength + " 文字");
    if (limits.length) text += " [" + limits.join(", ") + "]";
    return text;
  }

  function table(headings, rows) {
    const t = el("table");
    const head = t.createTHead().insertRow();
    headings.forEach(function (h) {
      const th = el("th", h);
      th.scope = "col";
      head.appendChild(th);
    });
    const body = t.createTBody();
    rows.forEach(function (cells) {
      const row = body.insertRow();
      cells.forEach(function (c) {
        const td = row.insertCell();
        if (c instanceof Node) td.appendChild(c);
        else td.textContent = c;
      });
    });
    return t;
  }

  function renderOperation(path, method, op, index) {
    const section = el("section", null, "api-operation");
    const id = "op-" + index;
    const heading = el("h3");
    heading.id = id;
    heading.appendChild(el("span", method.toUpperCase(), "api-method"));
    heading.appendChild(el("code", path));
    section.appendChild(heading);
    if (op.summary) section.appendChild(el("p", op.summary));
    const params = op.parameters || [];
    if (params.length) {
      section.appendChild(el("h4", "パラメーター"));
      section.appendChild(
        table(
          ["名前", "場所", "必須", "型", "説明"],
          params.map(function (p) {
            const schema = p.schema || {};
            const desc = p.description || schema.description || "";
            const def = schema.default !== undefined ? "（既定: " + JSON.stringify(schema.default) + "）" : "";
            return [p.name, p.in, p.required ? "はい" : "", typeText(schema), desc + def];
          })
        )
      );
    }
    section.appendChild(el("h4", "応答"));
    section.appendChild(
      table(
        ["コード", "形"],
        Object.keys(op.responses || {}).map(function (code) {
          const content = (op.responses[code].content || {})["application/json"];
          return [code, content ? typeText(content.schema) : op.responses[code].description || ""];
        })
      )
    );
    return section;
  }

  function renderSchema(name, schema) {
    const section = el("section", null, "api-schema");
    const heading = el("h3", name);
    heading.id = "schema-" + name;
    section.appendChild(heading);
    if (schema.description) section.appendChild(el("p", schema.description));
    const props = schema.properties || {};
    const required = schema.required || [];
    section.appendChild(
      table(
        ["項目", "型", "必須", "説明"],
        Object.keys(props).map(function (key) {
          const p = props[key];
          return [el("code", key), typeText(p), required.indexOf(key) >= 0 ? "はい" : "", p.description || p.title || ""];
        })
      )
    );
    return section;
  }

  function render(doc) {
    document.getElementById("api-title").textContent = doc.info.title + "（v" + doc.info.version + "）";
    document.getElementById("api-description").textContent = doc.info.description || "";
    const toc = document.getElementById("api-toc");
    const ops = document.getElementById("api-operations");
    let index = 0;
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        const op = doc.paths[path][method];
        const item = el("li");
        const link = el("a", method.toUpperCase() + " " + path + (op.summary ? " — " + op.summary : ""));
        link.href = "#op-" + index;
        item.appendChild(link);
        toc.appendChild(item);
        ops.appendChild(renderOperation(path, method, op, index));
        index += 1;
      });
    });
    const schemas = (doc.components || {}).schemas || {};
    const holder = document.getElementById("api-schemas");
    Object.keys(schemas).forEach(function (name) {
      holder.appendChild(renderSchema(name, schemas[name]));
    });
    status.textContent = index + " 個のエンドポイントがあります。";
  }

  fetch(main.dataset.openapiUrl, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(render)
    .catch(function (error) {
      status.textContent = "OpenAPI 文書を読み込めませんでした（" + error.message + "）。時間をおいて再読み込みしてください。";
    });
})();
