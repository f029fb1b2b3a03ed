// The open-data page: the catalogue at /api/v1/open-data (datasets, data dictionary, license, attribution).
"use strict";

let catalogue = null;

function cells(tag, ...texts) {
  const row = document.createElement("tr");
  for (const text of texts) {
    const cell = document.createElement(tag);
    cell.textContent = text;
    row.append(cell);
  }
  return row;
}

function render() {
  i18n.apply();
  document.title = `OGI Tracker · ${i18n.t("openData")}`;
  if (!catalogue) return;
  const license = document.querySelector("#license");
  const link = Object.assign(document.createElement("a"), { href: catalogue.license.url, textContent: catalogue.license.name });
  license.replaceChildren(link, ` (${catalogue.license.id})`);

  document.querySelector("#datasets").replaceChildren(...catalogue.datasets.map((dataset) => {
    const article = document.createElement("article");
    const title = Object.assign(document.createElement("h3"), { textContent: dataset.title[i18n.lang] });
    const download = document.createElement("p");
    download.append(`${i18n.t("download")}: `, Object.assign(document.createElement("a"), { href: dataset.path, textContent: dataset.path }));
    const table = document.createElement("table");
    const caption = Object.assign(document.createElement("caption"), { textContent: `${i18n.t("dictionary")}: ${dataset.name}` });
    const head = document.createElement("thead");
    head.append(cells("th", i18n.t("column"), i18n.t("type"), i18n.t("description")));
    const body = document.createElement("tbody");
    body.append(...dataset.columns.map((column) => cells("td", column.name, column.type, column[i18n.lang])));
    table.append(caption, head, body);
    article.append(title, download, table);
    return article;
  }));

  document.querySelector("#attribution").replaceChildren(...catalogue.attribution.map((source) =>
    Object.assign(document.createElement("li"), { textContent: `${source.what[i18n.lang]}: ${source.source} (${source.license})` })));
}

document.querySelector("#language").addEventListener("click", () => { i18n.toggle(); render(); });
render();
fetch("/api/v1/open-data").then((response) => response.json()).then((body) => { catalogue = body; render(); });
